/**
 * SNN → ONNX export: every exported model runs in onnxruntime-node on real Fashion-MNIST test
 * images and is compared with `snn.forward` on the same images (logits, and per-image spike
 * counts of every neuron layer). onnxruntime is the independent implementation: its
 * convolutions, matmuls, pools and BatchNorm share no code with tfjs.
 *
 * Measured (128 images, 18k to 2.3M spikes per model): every image's spike counts agree on
 * every layer of every model, and the logits are equal (7 of 9 runs) or differ by ≤ 6e-8 of
 * their range (the resnet's global average pool and the cpu-backend model). A neuron within
 * float32 rounding of its threshold could still flip where the two runtimes sum a convolution
 * in another order, so the checks allow 1 differing count per 10⁵ spikes; none was seen.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convert } from '@spikelite/conversion';
import { loadDataset, type ImageSet } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { createRng, initEngine } from '@spikelite/engine';
import { Network, presetSpec, SnnModel } from '@spikelite/models';
import { ModelSpec, parseWith, type EncodingSpecInput, type LayerInput, type NeuronSpecInput } from '@spikelite/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkSnnParity,
  exportSnnToOnnx,
  forwardSnnNchw,
  importOnnx,
  networkFromImport,
  OnnxExportError,
  SnnOnnxSession,
  type SnnParityResult,
} from './index.js';
import { decodeModel, int64 } from './proto.js';

const FIXTURES = new URL('../../../tooling/fixtures/onnx/', import.meta.url).pathname;
/** The first 6,000 / 1,000 Fashion-MNIST images, shipped in the repository: the same images with or without Debian's set. */
const SHIPPED = new URL('../../../apps/cli/data/fashion-mnist-mini', import.meta.url).pathname;
const N = 128;
const SHAPE = [N, 1, 28, 28];

let test: ImageSet;
let calib: ImageSet;
/** The N test images, NCHW (C = 1, so the same floats as NHWC). */
let nchw: Float32Array;
let calibImages: tf.Tensor4D;

beforeAll(async () => {
  await initEngine();
  const data = await loadDataset(SHIPPED, { limitTrain: 256, limitTest: N });
  test = data.test;
  calib = data.train;
  nchw = test.images;
  calibImages = tf.tensor4d(calib.images, [calib.count, 28, 28, 1]);
});

function snnOf(
  model: ModelSpec | Network,
  neuron: NeuronSpecInput | ((index: number) => NeuronSpecInput),
  T: number,
  encoding: EncodingSpecInput = { kind: 'direct' },
): SnnModel {
  const net = model instanceof Network ? model : Network.create(model, { seed: 7 });
  const pick = typeof neuron === 'function' ? neuron : () => neuron;
  return new SnnModel(net, { timesteps: T, neuron: (node) => pick(node.index) as never, encoder: createEncoder(encoding, { timesteps: T }) });
}

function disposeAll(snn: SnnModel): void {
  snn.dispose();
  snn.network.dispose();
}

/**
 * Thresholds that make every layer fire: layer by layer, θ = `fraction` × the largest input
 * current the layer sees on 64 calibration images (earlier layers already set). `spread`
 * gives per-channel layers thresholds that differ by channel.
 */
function balance(snn: SnnModel, fraction = 0.3, spread = false): void {
  const x = calibImages.slice([0, 0, 0, 0], [64, 28, 28, 1]);
  snn.neurons.forEach((layer, l) => {
    let max = 0;
    const r = snn.forward(x, {
      release: true,
      onNeuronInput: (i, _t, h) => {
        if (i === l) max = Math.max(max, tf.max(h).dataSync()[0]!);
      },
    });
    tf.dispose(r as unknown as tf.TensorContainer); // every tensor of the result
    if (layer.mode !== 'step') return;
    const base = Math.max(max * fraction, 1e-3);
    const size = layer.getParameter('threshold').length;
    layer.setParameter('threshold', spread && size > 1 ? Array.from({ length: size }, (_, c) => base * (0.7 + (0.6 * c) / size)) : base);
  });
  x.dispose();
}

async function parity(snn: SnnModel, bytes = exportSnnToOnnx(snn)): Promise<SnnParityResult> {
  return checkSnnParity(snn, bytes, { data: nchw, shape: SHAPE });
}

/** The agreement every exported model must reach; also: every layer fired. */
function expectAgreement(r: SnnParityResult, layers: number): void {
  expect(r.images).toBe(N);
  expect(r.relativeDiff).toBeLessThanOrEqual(1e-4);
  expect(r.top1Agreement).toBe(1);
  expect(r.spikes.onnx).toHaveLength(layers);
  for (const v of r.spikes.spikelite) expect(v).toBeGreaterThan(0);
  expect(r.spikes.differing).toBeLessThanOrEqual(r.spikes.total * 1e-5);
}

describe('exportSnnToOnnx against snn.forward, 128 Fashion-MNIST test images', () => {
  it('(a) fmnist-small, LIF λ = 0.9, T = 5, direct input, random weights', async () => {
    const snn = snnOf(presetSpec('fmnist-small'), { kind: 'lif', leak: 0.9 }, 5);
    balance(snn);
    const tensors = tf.memory().numTensors;
    const r = await parity(snn);
    expectAgreement(r, 3);
    expect(tf.memory().numTensors).toBe(tensors); // the comparison frees what it made
    // Detects a model that is not the one exported: a threshold changed after the export.
    const bytes = exportSnnToOnnx(snn);
    const first = snn.neurons[0]!;
    if (first.mode !== 'step') throw new Error('expected a step neuron layer');
    first.setParameter('threshold', first.getParameter('threshold')[0]! * 1.1);
    const off = await parity(snn, bytes);
    expect(off.spikes.differing).toBeGreaterThan(1000);
    expect(off.relativeDiff).toBeGreaterThan(1e-3);
    disposeAll(snn);
  });

  it('(b) fmnist-cnn-bn.onnx imported and converted (threshold recipe: per-channel θ, u(0) = θ/2, T = 5): BN folded, maxPool, biases', async () => {
    const imported = importOnnx(`${FIXTURES}fmnist-cnn-bn.onnx`);
    const net = networkFromImport(imported);
    const result = await convert(net, { kind: 'threshold', timesteps: 5 }, { calibrationImages: calibImages });
    expect(result.snn.neurons.map((n) => n.spec.kind)).toEqual(['lif', 'lif', 'lif']);
    expect(result.snn.neurons.map((n) => (n.spec.kind === 'lif' ? [n.spec.granularity, n.spec.initialPotential] : null))).toEqual(Array(3).fill(['channel', 0.5]));
    const r = await parity(result.snn);
    expectAgreement(r, 3);
    // The converted SNN classifies: same answers as onnxruntime, and mostly right.
    const ours = forwardSnnNchw(result.snn, nchw, SHAPE);
    let hits = 0;
    for (let i = 0; i < N; i++) {
      const row = Array.from(ours.logits.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === test.labels[i]) hits++;
    }
    expect(hits / N).toBeGreaterThan(0.75);
    result.dispose();
    net.dispose();
  });

  it('(c) single-spike LIF with hybrid input (analog at step 0, then one temporal spike per pixel); fires at most once', async () => {
    const cases: Array<{ neuron: NeuronSpecInput; encoding: EncodingSpecInput; T: number }> = [
      { neuron: { kind: 'singleSpikeLif', leak: 0.95 }, encoding: { kind: 'hybrid', analogSteps: 1, temporal: { tMin: 1 } }, T: 5 },
      { neuron: { kind: 'singleSpikeLif', leak: 1, afterSpike: 'freeze' }, encoding: { kind: 'hybrid', analogSteps: 2, temporal: { tMin: 3, threshold: 0.1 } }, T: 8 },
      { neuron: { kind: 'singleSpikeLif', leak: 0.9 }, encoding: { kind: 'temporal', tMin: 0 }, T: 6 },
    ];
    for (const c of cases) {
      const snn = snnOf(presetSpec('fmnist-small'), c.neuron, c.T, c.encoding);
      balance(snn, 0.2);
      const bytes = exportSnnToOnnx(snn);
      const r = await parity(snn, bytes);
      expectAgreement(r, 3);
      // At most one spike per neuron per image, in the ONNX run itself.
      const session = await SnnOnnxSession.create(bytes);
      const { spikes } = await session.run(nchw, SHAPE);
      await session.release();
      const sizes = snn.neuronsPerLayer();
      for (let i = 0; i < N; i++) sizes.forEach((size, l) => expect(spikes![i * 3 + l]!).toBeLessThanOrEqual(size));
      disposeAll(snn);
    }
  });

  it('(d) fmnist-resnet-silu.onnx converted (IF): residual adds with identity and 1x1-conv shortcuts, global average pool', async () => {
    const imported = importOnnx(`${FIXTURES}fmnist-resnet-silu.onnx`);
    const net = networkFromImport(imported);
    const result = await convert(net, { kind: 'threshold', timesteps: 5 }, { calibrationImages: calibImages });
    const r = await parity(result.snn);
    expectAgreement(r, 5);
    result.dispose();
    net.dispose();
  });

  it('every layer form: strided valid conv + bias, BatchNorm (image and flattened), per-channel LIF with hard reset, order previous, initial potentials, same-padded pools, dilated conv, residuals (image and flat), dropout, IF', async () => {
    const layers: LayerInput[] = [
      { kind: 'conv2d', filters: 6, kernelSize: 3, strides: 2, padding: 'valid', useBias: true },
      { kind: 'batchNorm' },
      { kind: 'activation', fn: 'relu' },
      { kind: 'maxPool', poolSize: 3, strides: 2, padding: 'same' },
      { kind: 'conv2d', filters: 8, kernelSize: 3, dilations: 2, padding: 'same' },
      { kind: 'activation', fn: 'relu' },
      { kind: 'avgPool', poolSize: 2, padding: 'same' },
      { kind: 'residual', body: [{ kind: 'conv2d', filters: 8, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }], shortcut: [] },
      { kind: 'flatten' },
      { kind: 'batchNorm' },
      { kind: 'activation', fn: 'relu' },
      { kind: 'dropout', rate: 0.3 },
      // Flat residual: the body's linear outputs spikelite's order, the identity keeps ONNX's (c, h, w) order.
      { kind: 'residual', body: [{ kind: 'linear', units: 128 }], shortcut: [] },
      { kind: 'linear', units: 32, useBias: true },
      { kind: 'activation', fn: 'relu' },
      { kind: 'linear', units: 10, useBias: true },
    ];
    const spec = parseWith(ModelSpec, { input: { channels: 1, height: 28, width: 28 }, classes: 10, layers }, 'zoo');
    const net = Network.create(spec, { seed: 3 });
    // BatchNorm statistics that are not the identity, different per feature.
    for (const info of net.params.list()) {
      const n = info.shape.reduce((a, b) => a * b, 1);
      const wave = (a: number, b: number) => Float32Array.from({ length: n }, (_, i) => a + b * Math.sin(i * 1.7 + 0.3));
      if (info.role === 'bnGamma') net.params.assign(info.name, wave(1, 0.3));
      if (info.role === 'bnBeta') net.params.assign(info.name, wave(0.1, 0.2));
      if (info.role === 'bnMean') net.params.assign(info.name, wave(0.05, 0.1));
      if (info.role === 'bnVar') net.params.assign(info.name, wave(1.2, 0.5));
    }
    const neurons: NeuronSpecInput[] = [
      { kind: 'lif', leak: 0.8, granularity: 'channel', reset: 'hard', initialPotential: 0.5 },
      { kind: 'lif', leak: 0.95, order: 'previous', initialPotential: 0.3 },
      { kind: 'if', initialPotential: 0.5 },
      { kind: 'lif', leak: 0.9, granularity: 'channel', order: 'previous', reset: 'hard' },
      { kind: 'if', reset: 'hard' },
    ];
    const snn = snnOf(net, (i) => neurons[i]!, 6);
    // Per-channel leaks that differ by channel, too.
    for (const l of [0, 3]) {
      const layer = snn.neurons[l]!;
      if (layer.mode === 'step') layer.setParameter('leak', layer.getParameter('leak').map((_, c) => 0.6 + 0.35 * ((c * 7) % 10) / 10));
    }
    balance(snn, 0.3, true);
    const bytes = exportSnnToOnnx(snn);
    expectAgreement(await parity(snn, bytes), 5);
    // The flat residual's identity branch was put back into spikelite's order (a Gather) before the Add.
    expect(decodeModel(bytes).graph!.node.filter((n) => n.op_type === 'Gather')).toHaveLength(6);
    disposeAll(snn);
  });
});

describe('ceil-mode pools, on the cpu backend', () => {
  // tfjs-wasm's ceil-mode MaxPool/AvgPool return wrong values for the edge windows (a 3x3
  // input pooled 2x2 gives [5, ~0, 0, 0] instead of cpu's and onnxruntime's [5, 6, 8, 9]), so
  // spikelite itself is only right on cpu there; the export matches cpu.
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });
  afterAll(async () => {
    await initEngine();
  });

  it('avgPool and maxPool with ceilMode (edge windows averaged over their inputs only)', async () => {
    const layers: LayerInput[] = [
      { kind: 'conv2d', filters: 4, kernelSize: 3, strides: 2, padding: 'valid', useBias: true },
      { kind: 'activation', fn: 'relu' },
      { kind: 'avgPool', poolSize: 2, ceilMode: true },
      { kind: 'conv2d', filters: 8, kernelSize: 3 },
      { kind: 'activation', fn: 'relu' },
      { kind: 'maxPool', poolSize: 2, ceilMode: true },
      { kind: 'flatten' },
      { kind: 'linear', units: 10 },
    ];
    const spec = parseWith(ModelSpec, { input: { channels: 1, height: 28, width: 28 }, classes: 10, layers }, 'ceil');
    expect(Network.create(spec).graph.nodes.map((n) => n.output.join('x'))).toEqual(['13x13x4', '13x13x4', '7x7x4', '7x7x8', '7x7x8', '4x4x8', '128', '10']);
    const snn = snnOf(spec, { kind: 'lif', leak: 0.9 }, 4);
    balance(snn);
    expectAgreement(await parity(snn), 2);
    disposeAll(snn);
  });
});

describe('the exported graph', () => {
  it('opset 17, input images [N, C, H, W] with a dynamic batch, outputs logits and spikes; per-image results do not depend on the batch', async () => {
    const snn = snnOf(presetSpec('fmnist-small'), { kind: 'lif', leak: 0.9 }, 3);
    balance(snn);
    const bytes = exportSnnToOnnx(snn);
    const model = decodeModel(bytes);
    expect(model.opset_import.map((o) => int64(o.version))).toEqual([17]);
    const g = model.graph!;
    const dims = (v: (typeof g.input)[number]) => v.type!.tensor_type!.shape!.dim.map((d) => d.dim_param || int64(d.dim_value));
    expect(g.input.map((v) => [v.name, dims(v)])).toEqual([['images', ['N', 1, 28, 28]]]);
    expect(g.output.map((v) => [v.name, dims(v)])).toEqual([['logits', ['N', 10]], ['spikes', ['N', 3]]]);
    // The first conv sees the same analog image at every step: emitted once.
    expect(g.node.filter((n) => n.op_type === 'Conv')).toHaveLength(1 + 3);
    const session = await SnnOnnxSession.create(bytes);
    const all = await session.run(nchw.subarray(0, 4 * 784), [4, 1, 28, 28]);
    const one = await session.run(nchw.subarray(3 * 784, 4 * 784), [1, 1, 28, 28]);
    await session.release();
    expect(Array.from(one.logits)).toEqual(Array.from(all.logits.subarray(30, 40)));
    expect(Array.from(one.spikes!)).toEqual(Array.from(all.spikes!.subarray(9, 12)));
    disposeAll(snn);
  });

  it('an encoder with analog normalisation: pass the same mean and std', async () => {
    const normalization = { mean: [0.29], std: [0.35] };
    const net = Network.create(presetSpec('fmnist-small'), { seed: 2 });
    const snn = new SnnModel(net, {
      timesteps: 4,
      neuron: { kind: 'lif', leak: 0.9 } as never,
      encoder: createEncoder({ kind: 'hybrid', analogSteps: 1, temporal: { tMin: 1 } }, { timesteps: 4, normalization }),
    });
    balance(snn);
    expectAgreement(await parity(snn, exportSnnToOnnx(snn, { normalization })), 3);
    // Without it the analog step differs: the check sees it.
    expect((await parity(snn, exportSnnToOnnx(snn))).relativeDiff).toBeGreaterThan(1e-3);
    expect(() => exportSnnToOnnx(snn, { normalization: { mean: [0, 0, 0], std: [1, 1, 1] } })).toThrow(
      'normalization has 3 means and 3 stds; the images have 1 channels',
    );
    disposeAll(snn);
  });

  it('without spike counts: logits only', () => {
    const snn = snnOf(presetSpec('fmnist-small'), { kind: 'if' }, 2);
    const g = decodeModel(exportSnnToOnnx(snn, { spikeCounts: false })).graph!;
    expect(g.output.map((o) => o.name)).toEqual(['logits']);
    disposeAll(snn);
  });
});

describe('what cannot be exported', () => {
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(OnnxExportError);
      return (e as Error).message;
    }
    throw new Error('expected an OnnxExportError');
  };

  it('FS neurons: the error names the layer, the kind and what is supported', () => {
    const snn = snnOf(presetSpec('fmnist-small'), (i) => (i === 1 ? { kind: 'fs', activation: 'relu' } : { kind: 'if' }), 1);
    expect(message(() => exportSnnToOnnx(snn))).toBe("layers.4: neuron kind 'fs' cannot be exported to ONNX; supported neurons: if, lif, singleSpikeLif");
    disposeAll(snn);
  });

  it('rate encoding', () => {
    const net = Network.create(presetSpec('fmnist-small'));
    const snn = new SnnModel(net, { timesteps: 2, neuron: { kind: 'if' } as never, encoder: createEncoder({ kind: 'rate' }, { timesteps: 2, rng: createRng(1) }) });
    expect(message(() => exportSnnToOnnx(snn))).toBe(
      "encoding 'rate' cannot be exported to ONNX (it draws random spikes, which an ONNX graph cannot reproduce); supported encodings: direct, hybrid, temporal",
    );
    disposeAll(snn);
  });

  it('a threshold that is not positive', () => {
    const snn = snnOf(presetSpec('fmnist-small'), { kind: 'if' }, 2);
    if (snn.neurons[2]!.mode === 'step') snn.neurons[2]!.setParameter('threshold', -0.5);
    expect(message(() => exportSnnToOnnx(snn))).toBe('layers.8: threshold must be positive and finite (the ONNX spike test is u > θ), got -0.5');
    disposeAll(snn);
  });
});
