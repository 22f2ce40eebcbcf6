/**
 * `spikelite eval` end to end: the built CLI (dist/main.js, rebuilt incrementally first) on an
 * ANN and a DIET SNN checkpoint trained here on a few Fashion-MNIST images.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunReport } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliOnce, scratchDir, spawnCli, type CliRun } from '../test-support.js';

const out = scratchDir('eval-cli');

const cli = (...args: string[]): CliRun => spawnCli(args);

let ann: RunReport;
let diet: RunReport;

beforeAll(() => {
  buildCliOnce();
  const a = cli('train', '--method', 'ann', '--epochs', '1', '--limit-train', '256', '--limit-test', '100', '--out', out, '--json');
  if (a.code !== 0) throw new Error(`train ann failed: ${a.stderr}`);
  ann = RunReport.parse(JSON.parse(a.stdout));
  const d = cli(
    'train', '--method', 'diet', '--ann-epochs', '0', '--epochs', '1', '--timesteps', '3', '--calib', '32', '--calib-steps', '10',
    '--limit-train', '64', '--limit-test', '40', '--out', join(out, 'diet'), '--json',
  );
  if (d.code !== 0) throw new Error(`train diet failed: ${d.stderr}`);
  diet = RunReport.parse(JSON.parse(d.stdout));
}, 240_000);

describe('spikelite eval', () => {
  it('an ANN checkpoint, by run directory or by checkpoint directory: the accuracy train reported', () => {
    for (const ck of [join(out, 'ann'), join(out, 'ann', 'checkpoints', 'epoch-0001')]) {
      const r = cli('eval', '--checkpoint', ck, '--limit-test', '100', '--json');
      expect(r.code, r.stderr).toBe(0);
      const report = RunReport.parse(JSON.parse(r.stdout));
      expect(report).toMatchObject({ command: 'eval', method: 'ann', timesteps: 1, annAccuracy: null, dataset: { trainSize: 0, testSize: 100 } });
      expect(report.accuracy).toBe(ann.accuracy);
      expect(r.stderr).toMatch(/^evaluating \d+\/100 images$/m);
    }
  }, 60_000);

  it('an SNN checkpoint: the trained T by default, --timesteps overrides it', () => {
    const r = cli('eval', '--checkpoint', join(out, 'diet', 'snn'), '--limit-test', '40', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = RunReport.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({ method: 'diet', timesteps: 3 });
    expect(report.accuracy).toBe(diet.accuracy);
    expect(report.spikes.perNeuron).toBeCloseTo(diet.spikes.perNeuron, 6);
    const t1 = cli('eval', '--checkpoint', join(out, 'diet', 'snn'), '--limit-test', '40', '--timesteps', '1', '--json');
    expect(t1.code, t1.stderr).toBe(0);
    const one = RunReport.parse(JSON.parse(t1.stdout));
    expect(one.timesteps).toBe(1);
    // Direct input: layer 1 does its MACs once per timestep.
    expect(one.energy.perLayer[0]!.snnMacs * 3).toBe(report.energy.perLayer[0]!.snnMacs);
  }, 60_000);

  it('a hybrid checkpoint (trained on the spike-time loss): the accuracy train reported, at most one spike per neuron', () => {
    const dir = join(out, 'hybrid');
    const t = cli(
      'train', '--method', 'hybrid', '--init', 'scratch', '--epochs', '1', '--timesteps', '4', '--calib', '32', '--calib-steps', '5',
      '--limit-train', '64', '--limit-test', '40', '--out', dir, '--json',
    );
    expect(t.code, t.stderr).toBe(0);
    const trained = RunReport.parse(JSON.parse(t.stdout));
    const r = cli('eval', '--checkpoint', join(dir, 'snn'), '--limit-test', '40', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = RunReport.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({ method: 'hybrid', timesteps: 4 });
    expect(report.accuracy).toBe(trained.accuracy);
    expect(report.spikes.perNeuron).toBeCloseTo(trained.spikes.perNeuron, 6);
    for (const l of report.spikes.perLayer) expect(l.spikesPerNeuron).toBeLessThanOrEqual(1);
  }, 120_000);

  it('bad input: one line naming the flag or path, exit 2, nothing on stdout', () => {
    const corrupt = join(out, 'corrupt');
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, 'latest.json'), '{');
    const missing = join(out, 'no-such-run');
    const cases: Array<[string[], RegExp]> = [
      [['--limit-test', '10'], /^spikelite: --checkpoint is required\n$/],
      // A wrong path fails before the engine starts: the only line on stderr.
      [['--checkpoint', missing], new RegExp(`^spikelite: --checkpoint: ${missing}: no such checkpoint or run directory\\n$`)],
      [['--checkpoint', corrupt], /^spikelite: --checkpoint: .*corrupt\/latest\.json: not valid JSON/],
      [['--checkpoint', join(out, 'ann'), '--limit-test', '0'], /^spikelite: --limit-test: expected an integer ≥ 1, got '0'\n$/],
      [['--checkpoint', join(out, 'ann'), '--data', join(out, 'no-data')], /^spikelite: --data: .*no-data/m],
      [['--checkpoint', join(out, 'ann'), '--profile', 'cmos7nm'], /^spikelite: --profile: cmos7nm: not a built-in energy profile/],
      [['--checkpoint', join(out, 'ann'), 'extra'], /^spikelite: unexpected argument 'extra'/],
    ];
    for (const [args, message] of cases) {
      const r = cli('eval', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').filter((l) => l.startsWith('spikelite:'))).toHaveLength(1);
      expect(r.stderr.slice(r.stderr.indexOf('spikelite:')), args.join(' ')).toMatch(message);
    }
  }, 60_000);

  it('--help: flags and an example', () => {
    const r = cli('eval', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Example: spikelite eval --checkpoint /m);
  });
});
