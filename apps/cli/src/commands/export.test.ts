/**
 * `spikelite export`, called in-process (main.ts registers the command separately), on
 * checkpoints written here with @spikelite/training's saveCheckpoint: the ONNX file is
 * written, runs in onnxruntime and agrees with spikelite; bad input is one CliError line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { initEngine } from '@spikelite/engine';
import { Network, presetSpec, SnnModel } from '@spikelite/models';
import { SnnOnnxSession } from '@spikelite/onnx';
import { EncodingSpec, NeuronSpec, parseWith, type EncodingSpecInput, type Method, type NeuronSpecInput } from '@spikelite/schemas';
import { saveCheckpoint, snnTarget } from '@spikelite/training';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHIPPED_FASHION_MNIST } from '../setup.js';
import { cliErrorOf, scratchDir } from '../test-support.js';
import { EXPORT_HELP, exportCommand, type ExportResult } from './export.js';

const tmp = scratchDir('export');
let images: tf.Tensor4D;

beforeAll(async () => {
  await initEngine();
  // The shipped subset (the first images of Fashion-MNIST): the same images with or without Debian's set.
  const data = await loadDataset(SHIPPED_FASHION_MNIST, { limitTrain: 1, limitTest: 32 });
  images = tf.tensor4d(data.test.images, [32, 28, 28, 1]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * An fmnist-small SNN checkpoint as `spikelite train` writes one, with thresholds that make
 * every layer fire (θ = 0.3 × the largest input current, layer by layer).
 */
async function writeCheckpoint(name: string, neuronInput: NeuronSpecInput, encodingInput: EncodingSpecInput, method: Method, T: number): Promise<string> {
  const dir = join(tmp, name);
  const spec = presetSpec('fmnist-small');
  const neuron = parseWith(NeuronSpec, neuronInput, 'neuron');
  const encoding = parseWith(EncodingSpec, encodingInput, 'encoding');
  const net = Network.create(spec, { seed: 1 });
  const snn = new SnnModel(net, { timesteps: T, neuron, encoder: createEncoder(encoding, { timesteps: T }) });
  snn.neurons.forEach((layer, l) => {
    if (layer.mode !== 'step') return;
    let max = 0;
    const r = snn.forward(images, { release: true, onNeuronInput: (i, _t, h) => void (i === l && (max = Math.max(max, tf.max(h).dataSync()[0]!))) });
    tf.dispose(r as unknown as tf.TensorContainer); // every tensor of the result
    layer.setParameter('threshold', 0.3 * max);
  });
  const target = snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 });
  const tensors = new Map([...target.state()].map(([k, v]) => [k, { shape: v.shape, values: Float32Array.from(v.dataSync()) }] as const));
  await saveCheckpoint(dir, { spec, neuron, encoding, method, epoch: 1, step: 1, rng: [1, 2, 3, 4] }, tensors);
  snn.dispose();
  net.dispose();
  return dir;
}

describe('spikelite export', () => {
  it('a DIET-style LIF checkpoint → .onnx that onnxruntime runs, agreeing with spikelite on 16 test images', async () => {
    const ck = await writeCheckpoint('diet', { kind: 'lif', leak: 0.9 }, { kind: 'direct' }, 'diet', 5);
    const out = join(tmp, 'out', 'diet.onnx');
    const logs: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (logs.push(String(s)), true));
    const r = (await exportCommand(['--checkpoint', ck, '--format', 'onnx', '--out', out, '--check', '16', '--json'])) as ExportResult;
    expect(existsSync(out)).toBe(true);
    expect(r).toMatchObject({ command: 'export', format: 'onnx', out, opset: 17, method: 'diet', timesteps: 5, encoding: 'direct' });
    expect(r.neuronLayers).toEqual([
      { layer: 'layers.1', neuron: 'lif' },
      { layer: 'layers.4', neuron: 'lif' },
      { layer: 'layers.8', neuron: 'lif' },
    ]);
    expect(r.inputs).toEqual({ kind: 'dataset', name: expect.stringMatching(/^fashion-mnist(-mini)?$/), images: 16 });
    const p = r.parity!;
    expect(p.images).toBe(16);
    expect(p.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(p.top1Agreement).toBe(1);
    for (const v of p.spikes.spikelite) expect(v).toBeGreaterThan(0);
    expect(p.spikes.differing).toBeLessThanOrEqual(p.spikes.total * 1e-5);
    expect(p.ok).toBe(true);
    expect(logs.join('')).toMatch(/onnxruntime vs spikelite .* on 16 fashion-mnist(-mini)? test images: logits max \|diff\| .*; ok\n/);
    // The file stands alone: a fresh session runs it on a batch of another size.
    const session = await SnnOnnxSession.create(readFileSync(out));
    const run = await session.run(new Float32Array(2 * 784).fill(0.5), [2, 1, 28, 28]);
    await session.release();
    expect(run.logits).toHaveLength(20);
    expect(run.spikes).toHaveLength(6);
  });

  it('a single-spike hybrid checkpoint with --timesteps 4 and --check 0 (no comparison)', async () => {
    const ck = await writeCheckpoint('hybrid', { kind: 'singleSpikeLif', leak: 0.95 }, { kind: 'hybrid', analogSteps: 1, temporal: { tMin: 1 } }, 'hybrid', 5);
    const out = join(tmp, 'hybrid.onnx');
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const r = (await exportCommand(['--checkpoint', ck, '--out', out, '--timesteps', '4', '--check', '0', '--json'])) as ExportResult;
    expect(r).toMatchObject({ method: 'hybrid', timesteps: 4, encoding: 'hybrid', inputs: null, parity: null });
    expect(r.neuronLayers.map((l) => l.neuron)).toEqual(['singleSpikeLif', 'singleSpikeLif', 'singleSpikeLif']);
    expect(existsSync(out)).toBe(true);
  });

  it('bad input: one CliError line each, exit code 2', async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const ck = join(tmp, 'diet');
    const fs = await writeCheckpoint('fs', { kind: 'fs', activation: 'relu', K: 4 }, { kind: 'direct' }, 'diet', 1);
    const ann = join(tmp, 'ann');
    const spec = presetSpec('fmnist-small');
    const net = Network.create(spec);
    await saveCheckpoint(ann, { spec, method: 'ann', epoch: 1, step: 1, rng: [1, 2, 3, 4] }, new Map([...net.params.snapshot()].map(([k, v]) => [k, { shape: [v.length], values: v }] as const)));
    net.dispose();
    const out = join(tmp, 'x.onnx');
    const cases: Array<[string[], RegExp]> = [
      [['--out', out], /--checkpoint is required/],
      [['--checkpoint', ck], /--out is required/],
      [['--checkpoint', ck, '--out', out, '--format', 'tflite'], /--format: expected one of onnx, got 'tflite'/],
      [['--checkpoint', join(tmp, 'missing'), '--out', out], /--checkpoint: .*missing/],
      [['--checkpoint', ck, '--out', out, '--check', '-1'], /--check: expected an integer ≥ 0/],
      [['--checkpoint', ann, '--out', out], /holds an ANN \(method ann\); export writes SNNs/],
      [['--checkpoint', fs, '--out', out], /--checkpoint: .*fs.*: layers\.1: neuron kind 'fs' cannot be exported to ONNX; supported neurons: if, lif, singleSpikeLif/],
    ];
    for (const [args, msg] of cases) expect(await cliErrorOf(exportCommand(args), args.join(' ')), args.join(' ')).toMatch(msg);
    expect(existsSync(out)).toBe(false);
  });

  it('--help text has the flags and an example', () => {
    for (const flag of ['--checkpoint', '--format onnx', '--out', '--timesteps', '--check', '--json']) expect(EXPORT_HELP).toContain(flag);
    expect(EXPORT_HELP).toMatch(/^Example: spikelite export --checkpoint \S+ --format onnx --out \S+\.onnx$/m);
  });
});
