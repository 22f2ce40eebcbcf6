/**
 * `spikelite train` end to end: the built CLI (dist/main.js, rebuilt incrementally first) on
 * the first 256 training / 100 test Fashion-MNIST images, one epoch; its checkpoint read back
 * by `eval` must give the same accuracy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RunReport } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildCliOnce, scratchDir, spawnCli, type CliRun } from '../test-support.js';

const out = scratchDir('train-cli');

const cli = (...args: string[]): CliRun => spawnCli(args);

beforeAll(buildCliOnce, BUILD_TIMEOUT_MS);

describe('spikelite train', () => {
  it('--method ann --json: one RunReport on stdout, progress on stderr; eval of its checkpoint agrees', () => {
    const dir = join(out, 'ann-run');
    const r = cli('train', '--method', 'ann', '--limit-train', '256', '--limit-test', '100', '--epochs', '1', '--out', dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const report = RunReport.parse(JSON.parse(r.stdout)); // also checks ratio = annPj / snnPj
    expect(report).toMatchObject({ command: 'train', method: 'ann', timesteps: 1, backend: 'wasm', annAccuracy: null });
    expect(report.dataset.trainSize).toBe(256);
    expect(report.dataset.testSize).toBe(100);
    // Four Adam steps from seed 0 (deterministic on wasm): 0.32 when written; a trainer that does not learn stays near 0.1.
    expect(report.accuracy).toBeGreaterThan(0.25);
    expect(report.spikes.perNeuron).toBe(0);
    expect(report.energy.ratio).toBe(1);
    // Into a pipe the first progress line is printed (then one per 30 s): a CI log shows the run.
    expect(r.stderr).toMatch(/^ann epoch 1\/1 batch \d+\/4 loss [\d.]+ acc/m);
    expect(r.stderr).not.toContain('\x1b'); // no bar or cursor codes into a pipe
    expect(existsSync(join(dir, 'ann', 'latest.json'))).toBe(true);

    const ev = cli('eval', '--checkpoint', join(dir, 'ann'), '--limit-test', '100', '--json');
    expect(ev.code, ev.stderr).toBe(0);
    const evReport = RunReport.parse(JSON.parse(ev.stdout));
    expect(evReport).toMatchObject({ command: 'eval', method: 'ann', timesteps: 1 });
    expect(evReport.accuracy).toBe(report.accuracy);
    expect(evReport.energy.annPj).toBe(report.energy.annPj);
  }, 120_000);

  it('without --json: the human summary on stdout', () => {
    const r = cli('train', '--method', 'ann', '--limit-train', '64', '--limit-test', '32', '--epochs', '1', '--batch', '32');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^train ann on fashion-mnist(-mini)? \(32 test images\), T=1, backend wasm\n {2}accuracy {8}\d+\.\d\d%/);
  }, 60_000);

  it('bad flags and values exit 2 with one line, before the engine starts', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--method', 'magic'], /^spikelite: --method: expected one of ann, threshold, fs, diet, hybrid, general, got 'magic'\n$/],
      [['--timesteps', '3'], /^spikelite: --timesteps: not an option of the ann method \(its options: --epochs, --lr, --batch\)\n$/],
      [['--amsgrad', 'yes'], /^spikelite: --amsgrad: not an option of the ann method/],
      [['--epochs', '-1'], /^spikelite: --epochs: expected an integer ≥ 0, got '-1'\n$/],
      [['--epochs', 'two'], /^spikelite: --epochs: expected an integer ≥ 0, got 'two'\n$/],
      [['--lr', '0'], /^spikelite: --lr: expected a positive number, got '0'\n$/],
      [['--model', 'nosuch'], /^spikelite: --model: unknown preset 'nosuch' and no such file \(presets: .*fmnist-small.*\)\n$/],
      [['--model', join(out, 'missing.json')], /^spikelite: --model: .*missing\.json: file not found\n$/],
      [['--backend', 'gpu'], /^spikelite: --backend: expected one of auto, tensorflow, wasm, cpu, got 'gpu'\n$/],
      [['--resume', join(out, 'never-ran')], /^spikelite: --resume: .*never-ran: no such directory\n$/],
      [['--epochs'], /^spikelite: --epochs: missing value\n$/],
      [['--frobnicate'], /^spikelite: unknown flag '--frobnicate' \(see --help\)\n$/],
    ];
    for (const [args, message] of cases) {
      const r = cli('train', '--method', 'ann', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  }, 60_000);

  it('--help: flags, examples, and every registered method with its options from the schemas', () => {
    const r = cli('train', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}spikelite train --method diet /m);
    expect(r.stdout).toContain('--limit-train N');
    for (const m of ['ann', 'threshold', 'fs', 'diet', 'hybrid', 'general']) expect(r.stdout).toMatch(new RegExp(`^ {2}${m} +\\S`, 'm'));
    // An option with each method's default, from the schema (diet's scale is the recipe's).
    expect(r.stdout).toMatch(/^ {2}--scale X +threshold = scale × the calibrated threshold\n +threshold 1 · diet [\d.]+ · hybrid 0\.5 · general 0\.5$/m);
    expect(r.stdout).toMatch(/^ {2}--surrogate linear\|stdb /m);
  });
});
