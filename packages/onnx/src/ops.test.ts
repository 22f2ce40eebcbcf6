/**
 * Each supported op form, in small graphs built here, imported and run against onnxruntime.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import type { Layer } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph, i64, pos, randoms, w, type GraphSpec } from '../test/graphs.js';
import { checkParity, forwardImported, importOnnx, networkFromImport, type ImportOptions, type OnnxImport } from './index.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

/** Import, then compare with onnxruntime on random inputs: ≤ 1e-4 of the output range. */
async function importAndCheck(spec: GraphSpec, options: ImportOptions = {}): Promise<OnnxImport> {
  const bytes = buildGraph(spec);
  const imported = importOnnx(bytes, { label: 'test.onnx', ...options });
  const dims = spec.input?.dims ?? ['N', 1, 6, 6];
  const shape = dims.map((d) => (typeof d === 'number' ? d : 3));
  const data = randoms(shape.reduce((a, b) => a * b, 1), 7, 1);
  const p = await checkParity(bytes, { data, shape }, { imported });
  expect(p.outputRange.span).toBeGreaterThan(0);
  expect(p.relativeDiff).toBeLessThanOrEqual(1e-4);
  return imported;
}

const kinds = (layers: Layer[]): string[] => layers.map((l) => (l.kind === 'activation' ? `activation:${l.fn}` : l.kind));

describe('convolutions', () => {
  it('auto_pad SAME_UPPER / SAME_LOWER, asymmetric pads, dilation, a 3x1 kernel without kernel_shape, HWIO weights', async () => {
    const { spec } = await importAndCheck({
      input: { name: 'x', dims: ['N', 3, 7, 7] },
      inits: { w1: w([4, 3, 3, 3], 1), b1: w([4], 2), w2: w([5, 4, 2, 2], 3), w3: w([6, 5, 3, 1], 4), fc: w([10, 72], 5), fcb: w([10], 6) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1', 'b1'], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2], kernel_shape: [3, 3] } },
        { op: 'Relu', inputs: ['v0'] },
        { op: 'Conv', inputs: ['v1', 'w2'], attrs: { auto_pad: 'SAME_LOWER' } },
        { op: 'Conv', inputs: ['v2', 'w3'], attrs: { pads: [0, 1, 2, 1], dilations: [2, 1] } },
        { op: 'Flatten', inputs: ['v3'] },
        { op: 'Gemm', inputs: ['v4', 'fc', 'fcb'], attrs: { transB: 1 } },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['conv2d', 'activation:relu', 'conv2d', 'conv2d', 'flatten', 'linear']);
    expect(spec.layers[0]).toMatchObject({ strides: 2, padding: { top: 1, bottom: 1, left: 1, right: 1 }, useBias: true });
    // SAME_LOWER puts the odd pixel first.
    expect(spec.layers[2]).toMatchObject({ padding: { top: 1, bottom: 0, left: 1, right: 0 }, useBias: false });
    expect(spec.layers[3]).toMatchObject({ kernelSize: [3, 1], dilations: [2, 1], padding: { top: 0, left: 1, bottom: 2, right: 1 } });
  });
});

describe('linear layers', () => {
  it('Gemm with transB=0, alpha, beta and a [1, M] bias after a Flatten of C>1 (rows permuted to NHWC order)', async () => {
    const { spec, weights } = await importAndCheck({
      input: { name: 'x', dims: ['N', 3, 4, 4] },
      inits: { a: w([48, 8], 1), c: w([1, 8], 2), b: w([8, 5], 3) },
      nodes: [
        { op: 'Flatten', inputs: ['x'] },
        { op: 'Gemm', inputs: ['v0', 'a', 'c'], attrs: { alpha: { f: 0.5 }, beta: { f: 2 } } },
        { op: 'Relu', inputs: ['v1'] },
        { op: 'Gemm', inputs: ['v2', 'b'] },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['flatten', 'linear', 'activation:relu', 'linear']);
    expect(spec.layers[3]).toMatchObject({ units: 5, useBias: false });
    // Row (h=0, w=0, c=1) of the NHWC kernel is ONNX row c·16 = 16, scaled by alpha.
    const a = randoms(48 * 8, 1);
    expect(weights.get('layers.1.kernel')![1 * 8]).toBeCloseTo(0.5 * a[16 * 8]!, 6);
  });

  it('MatMul + Add(bias) becomes one linear layer; a MatMul alone has no bias', async () => {
    const { spec, report } = await importAndCheck({
      input: { name: 'x', dims: ['N', 2, 3, 3] },
      inits: { m1: w([18, 6], 1), bias: w([6], 2), m2: w([6, 4], 3) },
      nodes: [
        { op: 'Flatten', inputs: ['x'] },
        { op: 'MatMul', inputs: ['v0', 'm1'] },
        { op: 'Add', inputs: ['v1', 'bias'] },
        { op: 'Tanh', inputs: ['v2'] },
        { op: 'MatMul', inputs: ['v3', 'm2'] },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['flatten', 'linear', 'activation:tanh', 'linear']);
    expect(spec.layers[1]).toMatchObject({ units: 6, useBias: true });
    expect(report.folded).toEqual([{ node: 'Add_2', opType: 'Add', into: 'MatMul_1' }]);
  });

  it('a flat [N, features] input is a [features] input', async () => {
    const { spec } = await importAndCheck({
      input: { name: 'x', dims: ['N', 12] },
      inits: { a: w([7, 12], 1), b: w([3, 7], 2) },
      nodes: [
        { op: 'Gemm', inputs: ['x', 'a'], attrs: { transB: 1 } },
        { op: 'Sigmoid', inputs: ['v0'] },
        { op: 'Gemm', inputs: ['v1', 'b'], attrs: { transB: 1 } },
      ],
    });
    expect(spec.input).toEqual({ shape: [12] });
    expect(kinds(spec.layers)).toEqual(['linear', 'activation:sigmoid', 'linear']);
  });
});

describe('pooling', () => {
  it('ceil-mode AveragePool with edge windows, explicit pads on MaxPool and AveragePool, GlobalAveragePool + Flatten', async () => {
    const { spec, report } = await importAndCheck({
      input: { name: 'x', dims: ['N', 2, 7, 7] },
      inits: { fc: w([3, 2], 1) },
      nodes: [
        { op: 'AveragePool', inputs: ['x'], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, count_include_pad: 1 } },
        { op: 'MaxPool', inputs: ['v0'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] } },
        { op: 'AveragePool', inputs: ['v1'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
        { op: 'GlobalAveragePool', inputs: ['v2'] },
        { op: 'Flatten', inputs: ['v3'] },
        { op: 'Gemm', inputs: ['v4', 'fc'], attrs: { transB: 1 } },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['avgPool', 'maxPool', 'avgPool', 'globalAvgPool', 'linear']);
    expect(spec.layers[0]).toMatchObject({ poolSize: 2, strides: 2, padding: 'valid', ceilMode: true });
    expect(spec.layers[1]).toMatchObject({ poolSize: 3, strides: 2, padding: { top: 0, left: 0, bottom: 1, right: 1 } });
    expect(spec.layers[2]).toMatchObject({ strides: 1, padding: { top: 1, left: 1, bottom: 1, right: 1 }, countIncludePad: false });
    expect(report.removed).toContainEqual({ node: 'Flatten_4', opType: 'Flatten', reason: 'no-op: the value is already flat' });
  });

  it('ReduceMean over H,W with keepdims=1 then Reshape [0, -1] from a Constant node', async () => {
    const { spec } = await importAndCheck({
      input: { name: 'x', dims: ['N', 2, 5, 5] },
      inits: { k: w([4, 2, 3, 3], 1), fc: w([4, 3], 2) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'k'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'ReduceMean', inputs: ['v0'], attrs: { axes: [-2, -1], keepdims: 1 } },
        { op: 'Constant', inputs: [], attrs: { value: { t: { dims: [2], data: [0, -1], type: 'int64' } } } },
        { op: 'Reshape', inputs: ['v1', 'v2'] },
        { op: 'MatMul', inputs: ['v3', 'fc'] },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['conv2d', 'globalAvgPool', 'linear']);
  });

  it('opset 18 ReduceMean with axes as an input and keepdims=0', async () => {
    const { spec, report } = await importAndCheck({
      opset: 18,
      input: { name: 'x', dims: ['N', 3, 4, 4] },
      inits: { axes: i64([2, 3]), fc: w([3, 2], 1) },
      nodes: [
        { op: 'ReduceMean', inputs: ['x', 'axes'], attrs: { keepdims: 0 } },
        { op: 'MatMul', inputs: ['v0', 'fc'] },
      ],
    });
    expect(report.opset).toBe(18);
    expect(kinds(spec.layers)).toEqual(['globalAvgPool', 'linear']);
  });
});

describe('BatchNormalization', () => {
  const graph: GraphSpec = {
    input: { name: 'x', dims: ['N', 2, 5, 5] },
    inits: {
      k1: w([3, 2, 3, 3], 1), k2: w([4, 3, 3, 3], 2), kb2: w([4], 3), fc: w([16, 5], 4),
      g1: pos(3, 5), b1: w([3], 6), m1: w([3], 7), var1: pos(3, 8),
      g2: pos(4, 9), b2: w([4], 10), m2: w([4], 11), var2: pos(4, 12),
      g3: pos(16, 13), b3: w([16], 14), m3: w([16], 15), var3: pos(16, 16),
    },
    nodes: [
      { op: 'Conv', inputs: ['x', 'k1'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['v0'] },
      // After an activation: cannot be folded, becomes a per-channel affine layer.
      { op: 'BatchNormalization', inputs: ['v1', 'g1', 'b1', 'm1', 'var1'], attrs: { epsilon: { f: 1e-3 }, momentum: { f: 0.8 } } },
      { op: 'Conv', inputs: ['v2', 'k2', 'kb2'], attrs: { strides: [2, 2] } },
      // Right after a conv: folded into it.
      { op: 'BatchNormalization', inputs: ['v3', 'g2', 'b2', 'm2', 'var2'] },
      { op: 'Flatten', inputs: ['v4'] },
      // On a flattened NCHW image: per-feature parameters reordered to NHWC.
      { op: 'BatchNormalization', inputs: ['v5', 'g3', 'b3', 'm3', 'var3'] },
      { op: 'MatMul', inputs: ['v6', 'fc'] },
    ],
  };

  it('folds into the conv before it; the others become per-channel (per-feature) affine layers', async () => {
    const { spec, report } = await importAndCheck(graph);
    expect(kinds(spec.layers)).toEqual(['conv2d', 'activation:relu', 'affine', 'conv2d', 'flatten', 'affine', 'linear']);
    expect(spec.layers[2]).toMatchObject({ shape: [3], scale: true, bias: true });
    expect(spec.layers[3]).toMatchObject({ useBias: true });
    // The flatten keeps ONNX's (c, h, w) order, so the per-feature affine needs no permutation.
    expect(spec.layers[4]).toMatchObject({ order: 'chw' });
    expect(report.folded.map((f) => f.into)).toEqual(['Conv_3']);
  });

  it('with foldBatchNorm: false every BatchNormalization is a trainable layer (ONNX momentum 0.8 → 0.2), and the outputs still match', async () => {
    const { spec, report } = await importAndCheck(graph, { foldBatchNorm: false });
    expect(kinds(spec.layers)).toEqual(['conv2d', 'activation:relu', 'batchNorm', 'conv2d', 'batchNorm', 'flatten', 'batchNorm', 'linear']);
    expect(spec.layers[2]).toMatchObject({ epsilon: expect.closeTo(1e-3, 9), momentum: expect.closeTo(0.2, 6) });
    expect(report.folded).toEqual([]);
  });
});

describe('activations', () => {
  it('opset 9: Clip(0, 6) from attributes, LeakyRelu with its default alpha, Sigmoid', async () => {
    const { spec } = await importAndCheck({
      opset: 9,
      input: { name: 'x', dims: ['N', 1, 4, 4] },
      inits: { k: w([2, 1, 3, 3], 1, 4), fc: w([8, 3], 2), fcb: w([3], 3) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'k'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Clip', inputs: ['v0'], attrs: { min: { f: 0 }, max: { f: 6 } } },
        { op: 'MaxPool', inputs: ['v1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'LeakyRelu', inputs: ['v2'] },
        { op: 'Sigmoid', inputs: ['v3'] },
        { op: 'Flatten', inputs: ['v4'] },
        { op: 'Gemm', inputs: ['v5', 'fc', 'fcb'] },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['conv2d', 'activation:relu6', 'maxPool', 'activation:leakyRelu', 'activation:sigmoid', 'flatten', 'linear']);
    expect(spec.layers[3]).toMatchObject({ alpha: expect.closeTo(0.01, 6) });
  });

  it('Relu then Clip(0, 6) is one relu6; Clip(0, none) is relu; Mul(Sigmoid(x), x) is silu', async () => {
    const { spec, report } = await importAndCheck({
      input: { name: 'x', dims: ['N', 1, 4, 4] },
      inits: { k: w([2, 1, 3, 3], 1, 8), zero: { dims: [], data: [0] }, six: { dims: [], data: [6] }, fc: w([32, 3], 2) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'k'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['v0'] },
        { op: 'Clip', inputs: ['v1', 'zero', 'six'] },
        { op: 'Tanh', inputs: ['v2'] },
        { op: 'Clip', inputs: ['v3', 'zero', ''] },
        { op: 'Sigmoid', inputs: ['v4'] },
        { op: 'Mul', inputs: ['v5', 'v4'] },
        { op: 'Flatten', inputs: ['v6'] },
        { op: 'MatMul', inputs: ['v7', 'fc'] },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['conv2d', 'activation:relu6', 'activation:tanh', 'activation:relu', 'activation:silu', 'flatten', 'linear']);
    expect(report.fused).toContainEqual({ layer: 'v2', fn: 'relu6', nodes: ['Relu_1', 'Clip_2'] });
    expect(report.fused).toContainEqual({ layer: 'v6', fn: 'silu', nodes: ['Sigmoid_5', 'Mul_6'] });
  });
});

describe('graph structure', () => {
  it('nested residual blocks: identity and 1x1-conv shortcuts become a graph of adds', async () => {
    const { spec, weights } = await importAndCheck({
      input: { name: 'x', dims: ['N', 2, 6, 6] },
      inits: { a: w([4, 2, 3, 3], 1), b: w([4, 4, 3, 3], 2), c: w([4, 4, 3, 3], 3), d: w([8, 4, 3, 3], 4), e: w([8, 4, 1, 1], 5), fc: w([8, 3], 6) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'a'], attrs: { pads: [1, 1, 1, 1] } }, // v0
        { op: 'Relu', inputs: ['v0'] }, // v1: fork of the outer block
        { op: 'Conv', inputs: ['v1', 'b'], attrs: { pads: [1, 1, 1, 1] } }, // v2
        { op: 'Relu', inputs: ['v2'] }, // v3: fork of the inner block
        { op: 'Conv', inputs: ['v3', 'c'], attrs: { pads: [1, 1, 1, 1] } }, // v4
        { op: 'Add', inputs: ['v3', 'v4'] }, // v5: inner merge, identity first
        { op: 'Conv', inputs: ['v5', 'd'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } }, // v6
        { op: 'Conv', inputs: ['v1', 'e'], attrs: { strides: [2, 2] } }, // v7: shortcut
        { op: 'Add', inputs: ['v6', 'v7'] }, // v8: outer merge
        { op: 'Relu', inputs: ['v8'] },
        { op: 'GlobalAveragePool', inputs: ['v9'] },
        { op: 'Flatten', inputs: ['v10'] },
        { op: 'MatMul', inputs: ['v11', 'fc'] },
      ],
    });
    expect(kinds(spec.layers)).toEqual([
      'conv2d', 'activation:relu', 'conv2d', 'activation:relu', 'conv2d', 'add', 'conv2d', 'conv2d', 'add', 'activation:relu', 'globalAvgPool', 'linear',
    ]);
    // Each merge names its two inputs; the shortcut conv reads the outer fork.
    expect(spec.layers[5]).toMatchObject({ kind: 'add', inputs: ['v3', 'v4'] });
    expect(spec.layers[7]).toMatchObject({ kind: 'conv2d', inputs: ['v1'] });
    expect(spec.layers[8]).toMatchObject({ kind: 'add', inputs: ['v6', 'v7'] });
    expect([...weights.keys()].sort()).toEqual(['layers.0.kernel', 'layers.2.kernel', 'layers.4.kernel', 'layers.6.kernel', 'layers.7.kernel', 'layers.11.kernel'].sort());
  });

  it('Dropout, Identity and an all-zero Pad are removed; a fixed batch size and Reshape [2, -1] are accepted', async () => {
    const { spec, report } = await importAndCheck({
      input: { name: 'x', dims: [2, 2, 4, 4] },
      inits: { pads: i64([0, 0, 0, 0, 0, 0, 0, 0]), shape: i64([2, -1]), fc: w([32, 3], 1) },
      nodes: [
        { op: 'Identity', inputs: ['x'] },
        { op: 'Pad', inputs: ['v0', 'pads'] },
        { op: 'Relu', inputs: ['v1'] },
        { op: 'Dropout', inputs: ['v2'], outputs: ['v3', 'mask'] },
        { op: 'Reshape', inputs: ['v3', 'shape'] },
        { op: 'MatMul', inputs: ['v4', 'fc'] },
      ],
    });
    expect(report.batch).toBe(2);
    expect(kinds(spec.layers)).toEqual(['activation:relu', 'flatten', 'linear']);
    expect(report.removed.map((r) => r.opType)).toEqual(['Identity', 'Pad', 'Dropout']);
  });

  it('x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape is evaluated, not converted', async () => {
    const { spec, report } = await importAndCheck({
      input: { name: 'x', dims: ['N', 2, 3, 3] },
      inits: { idx: { dims: [], data: [0], type: 'int64' }, minus1: i64([-1]), axes: i64([0]), fc: w([18, 4], 1) },
      nodes: [
        { op: 'Relu', inputs: ['x'] },
        { op: 'Shape', inputs: ['v0'] },
        { op: 'Gather', inputs: ['v1', 'idx'], attrs: { axis: 0 } },
        { op: 'Unsqueeze', inputs: ['v2', 'axes'] },
        { op: 'Concat', inputs: ['v3', 'minus1'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['v0', 'v4'] },
        { op: 'MatMul', inputs: ['v5', 'fc'] },
      ],
    });
    expect(kinds(spec.layers)).toEqual(['activation:relu', 'flatten', 'linear']);
    expect(report.removed.filter((r) => r.reason === 'evaluated at import time').map((r) => r.opType)).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat']);
  });

  it('a final Softmax is removed: spikelite outputs logits, compared with the ONNX model cut before its softmax', async () => {
    for (const op of ['Softmax', 'LogSoftmax']) {
      const spec: GraphSpec = {
        input: { name: 'x', dims: ['N', 6] },
        inits: { a: w([6, 4], 1, 2) },
        nodes: [{ op: 'MatMul', inputs: ['x', 'a'] }, { op, inputs: ['v0'], attrs: { axis: -1 } }],
      };
      const imported = await importAndCheck(spec);
      expect(imported.report.outputActivation).toBe(op === 'Softmax' ? 'softmax' : 'logSoftmax');
      const net = networkFromImport(imported);
      const logits = forwardImported(net, imported, randoms(12, 3, 1), [2, 6]);
      net.dispose();
      // Logits, not probabilities: a row does not sum to 1.
      expect(Math.abs(logits.slice(0, 4).reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-3);
    }
  });

  it('checkParity leaves no tensors behind', async () => {
    const bytes = buildGraph({ input: { name: 'x', dims: ['N', 4] }, inits: { a: w([4, 2], 1) }, nodes: [{ op: 'MatMul', inputs: ['x', 'a'] }] });
    const imported = importOnnx(bytes);
    // Bytes without a label: the spec is named after the ONNX graph.
    expect(imported.spec.name).toBe('g');
    await checkParity(bytes, { data: randoms(8, 1), shape: [2, 4] }, { imported });
    const before = tf.memory().numTensors;
    const p = await checkParity(bytes, { data: randoms(8, 1), shape: [2, 4] }, { imported });
    expect(p.ok).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('input options', () => {
  it('normalize puts (x − mean)/std in front: raw [0, 1] pixels in, the same outputs as the ONNX model on normalised images', async () => {
    const spec: GraphSpec = {
      input: { name: 'x', dims: ['N', 3, 5, 5] },
      inits: { k: w([4, 3, 3, 3], 1), fc: w([4, 2], 2) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'k'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['v0'] },
        { op: 'GlobalAveragePool', inputs: ['v1'] },
        { op: 'Flatten', inputs: ['v2'] },
        { op: 'MatMul', inputs: ['v3', 'fc'] },
      ],
    };
    const normalize = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    const imported = await importAndCheck(spec, { normalize });
    expect(imported.spec.layers[0]).toMatchObject({ kind: 'affine', shape: [3], scale: true, bias: true });
    expect(imported.report.normalize).toEqual(normalize);
    expect(Array.from(imported.weights.get('layers.0.scale')!)).toEqual(Array.from(Float32Array.from(normalize.std, (s) => 1 / s)));
    expect(() => importOnnx(buildGraph(spec), { normalize: { mean: [0.5, 0.5], std: [1] } })).toThrow(/normalize: mean has 2 values and std 1; the input has 3 channels/);
  });
});

describe('backbones', () => {
  it('a feature-map output [N, C, H, W] imports without classes, with parity on that map', async () => {
    const imported = await importAndCheck({
      input: { name: 'x', dims: ['N', 3, 8, 8] },
      inits: { k1: w([6, 3, 3, 3], 1), k2: w([4, 6, 3, 3], 2) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'k1'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } },
        { op: 'Relu', inputs: ['v0'] },
        { op: 'Conv', inputs: ['v1', 'k2'], attrs: { pads: [1, 1, 1, 1] } },
      ],
    });
    expect(imported.spec.classes).toBeUndefined();
    expect(imported.report.output).toMatchObject({ dims: [4, 4, 4], layout: 'nhwc' });
  });

  it('output: a classifier cut at an inner value is a backbone, with parity on that value', async () => {
    const spec: GraphSpec = {
      input: { name: 'x', dims: ['N', 2, 6, 6] },
      inits: { k: w([4, 2, 3, 3], 1), fc: w([4, 3], 2) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'k'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['v0'] },
        { op: 'GlobalAveragePool', inputs: ['v1'] },
        { op: 'Flatten', inputs: ['v2'] },
        { op: 'MatMul', inputs: ['v3', 'fc'] },
      ],
    };
    const imported = await importAndCheck(spec, { output: 'v1' });
    expect(imported.spec.layers.map((l) => l.kind)).toEqual(['conv2d', 'activation']);
    expect(imported.report.output).toMatchObject({ name: 'v1', dims: [4, 6, 6], layout: 'nhwc' });
  });
});
