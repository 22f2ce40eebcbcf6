/**
 * `spikelite convert` end to end: the built CLI (dist/main.js, rebuilt incrementally first) on
 * the ONNX fixtures and the first 200 (or 100) Fashion-MNIST test images.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '@spikelite/onnx';
import { RunReport } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildCliOnce, onnxFixtures, scratchDir, spawnCli, type CliRun } from '../test-support.js';

const CNN = join(onnxFixtures, 'fmnist-cnn-bn.onnx');
const out = scratchDir('convert-cli');

const cli = (...args: string[]): CliRun => spawnCli(['convert', ...args]);

beforeAll(buildCliOnce, BUILD_TIMEOUT_MS);

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
    const info = JSON.parse(readFileSync(join(dir, 'conversion.json'), 'utf8')) as { thresholds: number[][]; layers: Array<{ neuron: string; threshold: number[] }> };
    // The threshold recipe's default: one threshold per channel, on LIF neurons with λ = 1.
    expect(info.thresholds.map((t) => t.length)).toEqual([16, 32, 128]);
    expect(info.layers.map((l) => l.neuron)).toEqual(['lif', 'lif', 'lif']);
    info.layers[0]!.threshold.forEach((th, c) => expect(th).toBeCloseTo(info.thresholds[0]![c]!, 5)); // scale 1
    // --granularity layer: one IF threshold per layer.
    const layerDir = join(out, 'th-layer');
    const l = cli('--onnx', CNN, '--method', 'threshold', '--granularity', 'layer', '--timesteps', '2', '--calib', '32', '--limit-test', '20', '--out', layerDir);
    expect(l.code, l.stderr).toBe(0);
    const layerInfo = JSON.parse(readFileSync(join(layerDir, 'conversion.json'), 'utf8')) as { thresholds: number[]; layers: Array<{ neuron: string }> };
    expect(layerInfo.thresholds.map((t) => typeof t)).toEqual(['number', 'number', 'number']);
    expect(layerInfo.layers.map((x) => x.neuron)).toEqual(['if', 'if', 'if']);
    expect(cli('--onnx', CNN, '--method', 'threshold', '--initial-potential', '1').stderr).toMatch(/--initial-potential: expected a number in \[0, 1\), got '1'/);
    expect(RunReport.parse(JSON.parse(r.stdout)).timesteps).toBe(2);
    const s = cli('--onnx', CNN, '--method', 'fs', '--sweep', '4,10', '--limit-test', '100', '--json');
    expect(s.code, s.stderr).toBe(0);
    const rows = (JSON.parse(s.stdout) as { sweep: Array<{ steps: number; spikesPerNeuron: number; energy: { ratio: number } }> }).sweep;
    expect(rows.map((x) => x.steps)).toEqual([4, 10]);
    expect(rows[0]!.spikesPerNeuron).toBeLessThan(rows[1]!.spikesPerNeuron);
  }, 60_000);

  it('hybrid: single-spike neurons fine-tuned on the spike-time loss, at most one spike per neuron', () => {
    const r = cli('--onnx', CNN, '--method', 'hybrid', '--limit-train', '256', '--limit-test', '100', '--calib', '64', '--batch', '32', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = RunReport.parse(JSON.parse(r.stdout));
    expect(report.method).toBe('hybrid');
    expect(report.timesteps).toBe(5);
    expect(report.accuracy).toBeGreaterThan(0.75); // 256 fine-tuning images: 0.8–0.85 when written (ANN 0.91)
    for (const l of report.spikes.perLayer) expect(l.spikesPerNeuron).toBeLessThanOrEqual(1);
    expect(r.stderr).toMatch(/hybrid: output threshold θ_out = \d/);
    // Hybrid input: layer 1 does its MACs once (one analog step), the temporal spikes are ACs.
    const first = report.energy.perLayer[0]!;
    expect(first.snnMacs).toBe(first.annMacs);
    expect(first.snnAcs).toBeGreaterThan(0);
  }, 180_000);

  it('bad flags and files exit 2 with one line', () => {
    // An operator spikelite does not import (grouped convolutions, the old example here, now import).
    const hardmax = join(out, 'hardmax.onnx');
    const io = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: 4 }] } } } });
    writeFileSync(hardmax, encodeModel({
      ir_version: 8, opset_import: [{ domain: '', version: 17 }],
      graph: { name: 'hardmax', node: [{ op_type: 'Hardmax', input: ['x'], output: ['y'] }], initializer: [], input: [io('x')], output: [io('y')] },
    }));
    const cases: Array<[string[], RegExp]> = [
      [['--method', 'fs'], /--onnx FILE is required/],
      [['--onnx', join(out, 'missing.onnx')], /missing\.onnx: file not found/],
      [['--onnx', CNN, '--method', 'magic'], /--method: expected one of ann, threshold, fs, diet, hybrid, general/],
      [['--onnx', CNN, '--method', 'fs', '--fit', 'everything'], /--fit: expected one of missing, layer, samples/],
      [['--onnx', CNN, '--method', 'fs', '--scale', '2'], /--scale: not an option of the fs method/],
      [['--onnx', CNN, '--method', 'ann', '--sweep', '1,2'], /--sweep: the ann method has no steps to sweep/],
      [['--onnx', CNN, '--sweep', '1,x'], /--sweep: expected positive integers/],
      [['--onnx', CNN, '--bogus'], /unknown flag '--bogus'/],
      [['--onnx', hardmax], /hardmax\.onnx: .*Hardmax/],
      [['--onnx', join(onnxFixtures, 'ops-zoo-opset17.onnx'), '--method', 'threshold', '--limit-test', '10'], /cannot convert with the threshold recipe: .*\((batchNorm|leakyRelu|tanh|sigmoid)\)/],
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
    expect(r.stdout).toMatch(/Examples:\n {2}spikelite convert --onnx/);
    expect(r.stdout).toMatch(/^ {2}--fit missing\|layer\|samples/m);
  });
});
