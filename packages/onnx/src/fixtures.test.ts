/**
 * The PyTorch-made fixtures (tooling/fixtures/onnx): import, structure, and parity with
 * onnxruntime and with PyTorch's own outputs on 16 real Fashion-MNIST test images, on the
 * cpu and wasm backends. Only committed files are read (CI has no Python).
 */
import { readFileSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, type BackendName } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkParity, forwardImported, importOnnx, networkFromImport } from './index.js';

const DIR = new URL('../../../tooling/fixtures/onnx/', import.meta.url).pathname;

interface FixtureInfo {
  opset: number;
  trained: boolean;
  testAccuracy: number;
  sampleOutputs: number[][];
  outputIsSoftmax: boolean;
}
const info = JSON.parse(readFileSync(`${DIR}fixtures.json`, 'utf8')) as {
  sample: { file: string; count: number; labels: number[] };
  models: Record<string, FixtureInfo>;
};
const MODELS = Object.keys(info.models);
const N = info.sample.count;
/** The sample images as the models were trained: NCHW, pixels / 255. */
const images = Float32Array.from(readFileSync(`${DIR}${info.sample.file}`), (v) => v / 255);
const shape = [N, 1, 28, 28];

const range = (v: ArrayLike<number>): number => Math.max(...Array.from(v)) - Math.min(...Array.from(v));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
const argmax = (row: ArrayLike<number>): number => Array.from(row).indexOf(Math.max(...Array.from(row)));

describe('fixture files', () => {
  it('lists the five models, the sample and the accuracies; files are small', () => {
    expect(MODELS.sort()).toEqual(['fmnist-cnn-bn.onnx', 'fmnist-mlp.onnx', 'fmnist-resnet-silu.onnx', 'ops-zoo-opset11.onnx', 'ops-zoo-opset17.onnx']);
    expect(images.length).toBe(N * 784);
    expect(info.models['fmnist-cnn-bn.onnx']!.testAccuracy).toBeGreaterThanOrEqual(0.9);
    for (const name of MODELS) {
      if (info.models[name]!.trained) expect(info.models[name]!.testAccuracy).toBeGreaterThan(0.8);
      expect(statSync(`${DIR}${name}`).size).toBeLessThan(2_000_000);
    }
  });

  it('imports with the opsets the json records', () => {
    for (const name of MODELS) expect(importOnnx(`${DIR}${name}`).report.opset).toBe(info.models[name]!.opset);
  });
});

describe('fixture structure', () => {
  it('fmnist-cnn-bn: both BatchNorms folded into their convs, NCHW flatten permuted into the Gemm', () => {
    const { spec, report } = importOnnx(`${DIR}fmnist-cnn-bn.onnx`);
    expect(spec.layers.map((l) => l.kind)).toEqual(['conv2d', 'activation', 'maxPool', 'conv2d', 'activation', 'maxPool', 'flatten', 'linear', 'activation', 'linear']);
    expect(report.folded.filter((f) => f.opType === 'BatchNormalization').map((f) => f.into)).toEqual(['/features/features.0/Conv', '/features/features.4/Conv']);
    expect(spec.layers[0]).toMatchObject({ filters: 16, kernelSize: 3, padding: { top: 1, bottom: 1, left: 1, right: 1 }, useBias: true });
    expect(report).toMatchObject({ producer: 'pytorch 1.13.0', batch: 'dynamic', input: { name: 'input', dims: ['batch', 1, 28, 28] }, output: { name: 'logits' } });
  });

  it('fmnist-resnet-silu: an identity and a conv-shortcut residual add, SiLU from Sigmoid·Mul, ReduceMean as global pooling', () => {
    const { spec, report } = importOnnx(`${DIR}fmnist-resnet-silu.onnx`);
    const adds = spec.layers.filter((l) => l.kind === 'add');
    expect(adds).toHaveLength(2);
    // Block 1 adds the stem's pooled output (identity); block 2 adds a 1×1 conv of block 1's output.
    expect(adds[0]!.inputs).toEqual(['/block1/c2/Conv_output_0', '/stem/stem.3/MaxPool_output_0']);
    const shortcut = spec.layers.find((l) => l.name === adds[1]!.inputs![1]);
    expect(shortcut).toMatchObject({ kind: 'conv2d', kernelSize: 1, strides: 2 });
    const acts = spec.layers.filter((l) => l.kind === 'activation');
    expect(acts.map((a) => (a.kind === 'activation' ? a.fn : ''))).toEqual(Array(5).fill('silu'));
    expect(report.fused.map((f) => f.fn)).toEqual(Array(5).fill('silu'));
    expect(spec.layers.some((l) => l.kind === 'batchNorm' || l.kind === 'affine')).toBe(false);
    expect(spec.layers.at(-2)!.kind).toBe('globalAvgPool');
  });

  it('fmnist-mlp: Reshape to [-1, 784] is a flatten, then three linear layers', () => {
    const { spec } = importOnnx(`${DIR}fmnist-mlp.onnx`);
    expect(spec.layers.map((l) => (l.kind === 'linear' ? l.units : l.kind))).toEqual(['flatten', 256, 'activation', 128, 'activation', 10]);
  });

  it('ops-zoo: the opset-11 and opset-17 exports give the same spec and weights', () => {
    const a = importOnnx(`${DIR}ops-zoo-opset11.onnx`);
    const b = importOnnx(`${DIR}ops-zoo-opset17.onnx`);
    expect(a.spec).toEqual({ ...b.spec, name: a.spec.name });
    expect([...a.weights.keys()]).toEqual([...b.weights.keys()]);
    for (const [k, v] of a.weights) expect(Array.from(b.weights.get(k)!)).toEqual(Array.from(v));
    expect(a.report.outputActivation).toBe('softmax');
  });
});


describe('unsupported-group-conv.onnx (once refused, now imported)', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('a Conv with group=2 imports as a grouped conv2d with parity against onnxruntime', async () => {
    const path = `${DIR}unsupported-group-conv.onnx`;
    const imported = importOnnx(path);
    const conv = imported.spec.layers.find((l) => l.kind === 'conv2d' && (l.groups ?? 1) > 1);
    expect(conv).toMatchObject({ groups: 2 });
    const p = await checkParity(path, { data: images, shape }, { imported });
    expect(p.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(p.top1Agreement).toBe(1);
  });
});

const BACKENDS: BackendName[] = ['cpu', 'wasm'];
describe.each(BACKENDS)('parity on %s', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it.each(MODELS)('%s matches onnxruntime and PyTorch to ≤ 1e-4 of the output range', async (name) => {
    const path = `${DIR}${name}`;
    const imported = importOnnx(path);
    const p = await checkParity(path, { data: images, shape }, { imported });
    expect(p.backend).toBe(backend);
    expect(p.outputRange.span).toBeGreaterThan(0.1);
    expect(p.relativeDiff).toBeLessThanOrEqual(1e-4);
    expect(p.top1Agreement).toBe(1);

    // Against PyTorch's own outputs (probabilities for the softmax models).
    const net = networkFromImport(imported);
    const logits = forwardImported(net, imported, images, shape);
    net.dispose();
    const fx = info.models[name]!;
    const ours = fx.outputIsSoftmax ? tf.tidy(() => tf.softmax(tf.tensor2d(logits, [N, 10])).dataSync()) : logits;
    const torch = fx.sampleOutputs.flat();
    expect(maxAbsDiff(ours, torch) / range(torch)).toBeLessThanOrEqual(1e-4);
    if (fx.trained) {
      const predicted = fx.sampleOutputs.map(argmax);
      const correct = predicted.filter((c, i) => c === info.sample.labels[i]).length;
      expect(correct).toBeGreaterThanOrEqual(12);
    }
  });
});
