/**
 * `spikelite energy` end to end: the built CLI (dist/main.js, rebuilt incrementally first) on
 * small checkpoints trained here on 256 / 64 Fashion-MNIST images.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunReport } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliOnce, onnxFixtures, scratchDir, spawnCli, type CliRun } from '../test-support.js';

const out = scratchDir('energy-cli');

const cli = (...args: string[]): CliRun => spawnCli(args);

/** tooling/fixtures/onnx: conv 1→16, BN, ReLU, maxpool, conv 16→32, BN, ReLU, maxpool, FC 1568→128, ReLU, FC 128→10. */
const ONNX_CNN = join(onnxFixtures, 'fmnist-cnn-bn.onnx');

/** fmnist-small: 225,792 + 3,612,672 + 401,408 + 1,280 MACs per image. */
const FMNIST_SMALL_MACS = 4_241_152;
const ReportEnergy = RunReport.shape.energy;

beforeAll(() => {
  buildCliOnce();
  const ann = cli('train', '--method', 'ann', '--epochs', '1', '--limit-train', '256', '--limit-test', '128', '--out', out, '--json');
  if (ann.code !== 0) throw new Error(`train ann failed: ${ann.stderr}`);
  const diet = cli(
    'train', '--method', 'diet', '--ann-epochs', '0', '--epochs', '1', '--timesteps', '3', '--calib', '32', '--calib-steps', '10',
    '--limit-train', '64', '--limit-test', '32', '--out', join(out, 'diet'), '--json',
  );
  if (diet.code !== 0) throw new Error(`train diet failed: ${diet.stderr}`);
}, 240_000);

describe('spikelite energy', () => {
  it('an ANN checkpoint: the RunReport energy object on stdout, the table on stderr', () => {
    const r = cli('energy', '--checkpoint', join(out, 'ann'), '--limit-test', '64', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const e = ReportEnergy.parse(JSON.parse(r.stdout));
    expect(e.profile).toBe('cmos45nm-fp32');
    expect(e.perLayer.map((l) => l.annMacs)).toEqual([225_792, 3_612_672, 401_408, 1_280]);
    expect(e.annPj).toBeCloseTo(FMNIST_SMALL_MACS * 4.6, 3);
    // Costed as itself.
    expect(e.snnPj).toBe(e.annPj);
    expect(e.ratio).toBe(e.annPj / e.snnPj);
    expect(r.stderr).toMatch(/^layer\s+ANN MACs\s+SNN ACs\s+SNN MACs\s+SNN pJ$/m);
    expect(r.stderr).toMatch(/^total\s+4\.241M/m);
    // Evaluation progress into a pipe: a plain line, no terminal codes.
    expect(r.stderr).toMatch(/^measuring spikes 64\/64 images$/m);
    expect(r.stderr).not.toContain('\x1b');
  });

  it('an SNN checkpoint: measured spikes, --profile, --detail, and an SNN that costs more than its ANN', () => {
    const ck = join(out, 'diet', 'snn');
    const r = cli('energy', '--checkpoint', ck, '--limit-test', '32', '--profile', 'cmos45nm-int32', '--json', '--detail');
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    const e = ReportEnergy.parse(a.energy);
    expect(e.profile).toBe('cmos45nm-int32');
    expect(e.annPj).toBeCloseTo(FMNIST_SMALL_MACS * 3.2, 3);
    // Direct input at T = 3: layer 1 does its MACs at every step; the hidden layers do ACs only.
    expect(e.perLayer[0]).toMatchObject({ snnMacs: 3 * 225_792, snnAcs: 0 });
    expect(e.perLayer.slice(1).every((l) => l.snnMacs === 0)).toBe(true);
    expect(e.ratio).toBe(e.annPj / e.snnPj);
    expect(a.alternatives.firstLayerOnce.ratio).toBe(a.alternatives.firstLayerOnce.annPj / a.alternatives.firstLayerOnce.snnPj);
    expect(a.neuronUpdates.perLayer.map((l: { kind: string; steps: number }) => [l.kind, l.steps])).toEqual([['lif', 3], ['lif', 3], ['lif', 3], ['integrator', 3]]);
    expect(a.total.snnPj).toBeGreaterThan(e.snnPj);
    expect(r.stderr).toMatch(/spikes\/neuron [\d.]+ \(per layer/);

    // 40 analog steps of layer 1 alone cost 40 · 225,792 · 4.6 pJ = 41.5 µJ > the ANN's 19.5 µJ.
    const more = cli('energy', '--checkpoint', ck, '--limit-test', '16', '--timesteps', '40', '--json');
    expect(more.code).toBe(0);
    const m = ReportEnergy.parse(JSON.parse(more.stdout));
    expect(m.ratio).toBeLessThan(1);
    expect(m.ratio).toBe(m.annPj / m.snnPj);
    expect(more.stderr).toMatch(/the SNN costs MORE than the ANN/);
  });

  it('an ONNX file: its MACs, costed as an ANN', () => {
    const r = cli('energy', '--onnx', ONNX_CNN, '--json');
    expect(r.code).toBe(0);
    const e = ReportEnergy.parse(JSON.parse(r.stdout));
    // BN folded into the convs: 3·3·1·16·28·28, 3·3·16·32·14·14, 1568·128, 128·10.
    expect(e.perLayer.map((l) => l.annMacs)).toEqual([112_896, 903_168, 200_704, 1_280]);
    expect(e.annPj).toBeCloseTo(1_218_048 * 4.6, 3);
    expect(e.ratio).toBe(1);
    expect(r.stderr).toMatch(/max(Pool|pool)/);
  });

  it('a user profile file, and eval --profile puts it in the RunReport', () => {
    const file = join(out, 'chip.json');
    writeFileSync(file, JSON.stringify({ name: 'my-chip', macPj: 2, acPj: 0.05 }));
    const r = cli('energy', '--checkpoint', join(out, 'diet', 'snn'), '--limit-test', '16', '--profile', file, '--json');
    expect(r.code).toBe(0);
    const e = ReportEnergy.parse(JSON.parse(r.stdout));
    expect(e.profile).toBe('my-chip');
    expect(e.annPj).toBeCloseTo(FMNIST_SMALL_MACS * 2, 6);
    const ev = cli('eval', '--checkpoint', join(out, 'diet', 'snn'), '--limit-test', '16', '--profile', file, '--json');
    expect(ev.code).toBe(0);
    const report = RunReport.parse(JSON.parse(ev.stdout)); // checks ratio = annPj / snnPj
    expect(report.energy.profile).toBe('my-chip');
    expect(report.energy.perLayer[0]!.snnMacs).toBe(3 * 225_792);
  });

  it('bad input: one clear line on stderr, exit 2, nothing on stdout', () => {
    const cases: Array<[string[], RegExp]> = [
      [['energy', '--json'], /^spikelite: --checkpoint DIR \(or --onnx FILE\) is required\n$/],
      [['energy', '--checkpoint', join(out, 'nothing-here')], /^spikelite: --checkpoint: .*nothing-here/],
      [['energy', '--onnx', join(out, 'missing.onnx')], /^spikelite: --onnx: .*missing\.onnx/],
      [['energy', '--onnx', ONNX_CNN, '--limit-test', '10'], /^spikelite: --limit-test: not used with --onnx/],
      [['energy', '--onnx', ONNX_CNN, '--checkpoint', join(out, 'ann')], /^spikelite: give one of --checkpoint DIR and --onnx FILE, not both\n$/],
      [['energy', '--checkpoint', join(out, 'ann'), '--profile', 'cmos7nm'], /^spikelite: --profile: cmos7nm: not a built-in energy profile \(cmos45nm-fp32, cmos45nm-int32\) and no such file\n$/],
      [['energy', '--checkpoint', join(out, 'ann'), '--frobnicate'], /^spikelite: unknown flag '--frobnicate'/],
      [['energy', '--checkpoint', join(out, 'ann'), '--backend', 'gpu'], /^spikelite: --backend: expected one of auto, tensorflow, wasm, cpu, got 'gpu'\n$/],
      [['energy', '--checkpoint', join(out, 'ann'), '--limit-test', '-5'], /^spikelite: --limit-test: expected an integer ≥ 1, got '-5'\n$/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').filter((l) => l.startsWith('spikelite:'))).toHaveLength(1);
      expect(r.stderr.slice(r.stderr.indexOf('spikelite:'))).toMatch(message);
    }
    const bad = join(out, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', macPj: -1, acPj: 0.9 }));
    const r = cli('energy', '--checkpoint', join(out, 'ann'), '--profile', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`spikelite: --profile: ${bad}: macPj: expected a non-negative number, got -1\n`);
  });
});
