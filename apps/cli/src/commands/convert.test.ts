/**
 * `spikelite convert` end to end: the built CLI (dist/main.js, rebuilt incrementally first) on
 * the ONNX fixtures and the first 200 (or 100) Fashion-MNIST test images.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunReport } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(cliDir, '..', '..', 'tooling', 'fixtures', 'onnx');
const CNN = join(fixtures, 'fmnist-cnn-bn.onnx');
const out = mkdtempSync(join(tmpdir(), 'spikelite-convert-cli-'));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(cliDir, 'dist', 'main.js'), 'convert', ...args], { cwd: cliDir, encoding: 'utf8', env: { ...process.env, SPIKELITE_BACKEND: 'wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(cliDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: cliDir, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
}, 240_000);

describe('spikelite convert', () => {
  it('fs on the BN CNN: a RunReport with the SNN next to the onnxruntime ANN on the same images', () => {
    const r = cli('--onnx', CNN, '--method', 'fs', '--limit-test', '200', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = RunReport.parse(JSON.parse(r.stdout));
    expect(report.command).toBe('convert');
    expect(report.method).toBe('fs');
    expect(report.dataset.testSize).toBe(200);
    expect(report.timesteps).toBe(10);
    expect(report.annAccuracy).toBeGreaterThan(0.8);
    expect(Math.abs(report.accuracy - report.annAccuracy!)).toBeLessThanOrEqual(0.02);
    expect(report.spikes.perNeuron).toBeGreaterThan(0);
    expect(report.spikes.perNeuron).toBeLessThan(2.5);
    expect(report.spikes.perLayer.map((l) => l.layer)).toEqual(['layers.1', 'layers.4', 'layers.8']);
    expect(report.energy.snnPj).toBeGreaterThan(0);
  }, 60_000);

  it('threshold with --out writes the thresholds; --sweep gives one row per T', () => {
    const dir = join(out, 'th');
    const r = cli('--onnx', CNN, '--method', 'threshold', '--timesteps', '2', '--calib', '32', '--calib-steps', '5', '--limit-test', '100', '--out', dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(readFileSync(join(dir, 'conversion.json'), 'utf8')) as { thresholds: number[]; layers: Array<{ neuron: string; threshold: number }> };
    expect(info.thresholds).toHaveLength(3);
    expect(info.layers.map((l) => l.neuron)).toEqual(['if', 'if', 'if']);
    expect(info.layers[0]!.threshold).toBeCloseTo(info.thresholds[0]!, 5); // scale 1
    expect(RunReport.parse(JSON.parse(r.stdout)).timesteps).toBe(2);
    const s = cli('--onnx', CNN, '--method', 'fs', '--sweep', '4,10', '--limit-test', '100', '--json');
    expect(s.code, s.stderr).toBe(0);
    const rows = (JSON.parse(s.stdout) as { sweep: Array<{ steps: number; spikesPerNeuron: number; energy: { ratio: number } }> }).sweep;
    expect(rows.map((x) => x.steps)).toEqual([4, 10]);
    expect(rows[0]!.spikesPerNeuron).toBeLessThan(rows[1]!.spikesPerNeuron);
  }, 60_000);

  it('bad flags and files exit 2 with one line', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--method', 'fs'], /--onnx FILE is required/],
      [['--onnx', join(out, 'missing.onnx')], /missing\.onnx: file not found/],
      [['--onnx', CNN, '--method', 'magic'], /--method: expected one of threshold, fs, diet, hybrid/],
      [['--onnx', CNN, '--method', 'hybrid'], /hybrid: not yet/],
      [['--onnx', CNN, '--sweep', '1,x'], /--sweep: expected positive integers/],
      [['--onnx', CNN, '--bogus'], /unknown flag '--bogus'/],
      [['--onnx', join(fixtures, 'unsupported-group-conv.onnx')], /group=2 is not supported/],
      [['--onnx', join(fixtures, 'ops-zoo-opset17.onnx'), '--method', 'threshold', '--limit-test', '10'], /cannot convert with the threshold recipe: .*\((batchNorm|leakyRelu|tanh|sigmoid)\)/],
    ];
    for (const [args, msg] of cases) {
      const r = cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('spikelite:'))).toHaveLength(1);
    }
  }, 60_000);

  it('--help prints the flags and an example', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example: spikelite convert --onnx/);
  });
});
