import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@spikelite/data';
import { createRng, initEngine } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { ModelSpec, parseWith, type ModelSpecInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert, ConversionError, validateConversion } from './convert.js';
import { countMaxPools, withAvgPool, withPoolsBeforeNeurons } from './maxpool.js';
import { sweep } from './sweep.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

/** x (4 features) → linear 3 → act → linear 2. */
function tinyNet(fn: 'relu' | 'sigmoid' | 'tanh' | 'silu' = 'relu', extra: ModelSpecInput['layers'] = []): Network {
  const spec = parseWith(ModelSpec, {
    input: { channels: 4, height: 1, width: 1 },
    classes: 2,
    layers: [{ kind: 'flatten' }, { kind: 'linear', units: 3, useBias: true }, ...extra, { kind: 'activation', fn }, { kind: 'linear', units: 2, useBias: true }],
  }, 'test');
  const net = Network.create(spec, { seed: 1 });
  // Weights of order 1 (the DIET init is N(0, 0.01) for linear layers: too small to see quantisation).
  const rng = createRng(2);
  const k1 = `layers.1.kernel`;
  const k2 = `layers.${extra.length + 3}.kernel`;
  net.params.assign(k1, Float32Array.from({ length: 12 }, () => rng.normal()));
  net.params.assign(k2, Float32Array.from({ length: 6 }, () => rng.normal()));
  net.params.assign(`layers.1.bias`, Float32Array.from({ length: 3 }, () => rng.normal() * 0.3));
  return net;
}

function randomImages(n: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * 4 }, () => rng.next() * 2), [n, 1, 1, 4]);
}

function imageSet(images: tf.Tensor4D, labels: number[]): ImageSet {
  return { images: images.dataSync() as Float32Array, labels: Int32Array.from(labels), count: images.shape[0], height: 1, width: 1, channels: 4, classes: 2 };
}

describe('convert: threshold recipe', () => {
  it("θ = scale × the calibration statistic, hand-worked ('ann' and 'snn' calibration agree for layer 1 with direct input)", async () => {
    const net = tinyNet();
    // Unit j of the hidden layer sees (j+1)·x0: the max input over the images is 3·2 = 6.
    net.params.assign('layers.1.kernel', new Float32Array([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    net.params.assign('layers.1.bias', new Float32Array([0, 0, 0]));
    const images = tf.tensor4d([0.5, 0, 0, 0, 2, 0, 0, 0, -1, 0, 0, 0], [3, 1, 1, 4]);
    for (const calibrationMode of ['ann', 'snn'] as const) {
      const r = await convert(net, { kind: 'threshold', timesteps: 3, scale: 0.5, initialPotential: 0, calibration: { statistic: 'max', granularity: 'layer' } }, { calibrationImages: images, calibrationMode, balanceSteps: 4 });
      expect(r.info.thresholds).toEqual([6]);
      expect(r.info.layers).toEqual([{ layer: 'layers.2', activation: 'relu', neuron: 'if', threshold: 3, note: null }]);
      const layer = r.snn.neurons[0]!;
      expect(layer.mode === 'step' && layer.getParameter('threshold')).toEqual([3]);
      expect(r.info.timesteps).toBe(3);
      expect(r.info.input).toEqual({ analogSteps: 3, inputSpikesPerElement: 0 });
      r.dispose();
    }
    images.dispose();
    net.dispose();
  });

  it('per channel (the default): θ_c = scale × the max of channel c, LIF neurons (λ = 1) holding θ_c, starting at θ_c/2 (hand-worked)', async () => {
    const net = tinyNet();
    // Unit j sees w_j·x0 with w = (1, 2, −1): maxima over x0 ∈ {0.5, 2, −1} are 2, 4 and 1.
    net.params.assign('layers.1.kernel', new Float32Array([1, 2, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    net.params.assign('layers.1.bias', new Float32Array([0, 0, 0]));
    const images = tf.tensor4d([0.5, 0, 0, 0, 2, 0, 0, 0, -1, 0, 0, 0], [3, 1, 1, 4]);
    const r = await convert(net, { kind: 'threshold', timesteps: 3, scale: 0.5, calibration: { statistic: 'max' } }, { calibrationImages: images });
    expect(r.info.thresholds).toEqual([[2, 4, 1]]);
    expect(r.info.layers[0]).toMatchObject({ neuron: 'lif', threshold: [1, 2, 0.5] });
    const layer = r.snn.neurons[0]!;
    expect(layer.spec).toMatchObject({ kind: 'lif', leak: 1, granularity: 'channel', trainLeak: false, trainThreshold: false, initialPotential: 0.5 });
    expect(layer.mode === 'step' && layer.getParameter('threshold')).toEqual([1, 2, 0.5]);
    // Spikes carry θ_c: the next kernel's input rows are scaled by each channel's own θ.
    const k0 = net.params.get('layers.3.kernel').arraySync() as number[][];
    const k1 = r.network.params.get('layers.3.kernel').arraySync() as number[][];
    k1.forEach((row, c) => row.forEach((v, j) => expect(v).toBeCloseTo(k0[c]![j]! * [1, 2, 0.5][c]!, 6)));
    r.dispose();
    images.dispose();
    net.dispose();
  });

  it('a percentile statistic gives a lower threshold than the max', async () => {
    const net = tinyNet();
    const images = randomImages(200, 5);
    const max = await convert(net, { kind: 'threshold', calibration: { statistic: 'max', granularity: 'layer' } }, { calibrationImages: images, calibrationMode: 'ann' });
    const p99 = await convert(net, { kind: 'threshold', calibration: { statistic: 'percentile', percentile: 99, granularity: 'layer' } }, { calibrationImages: images, calibrationMode: 'ann' });
    expect(p99.info.thresholds![0] as number).toBeLessThan(max.info.thresholds![0] as number);
    max.dispose();
    p99.dispose();
    images.dispose();
    net.dispose();
  });
});

describe('weight normalisation (calibrationMode ann)', () => {
  it.each(['layer', 'channel'] as const)('a long threshold run approaches the ANN: U(T)/T → logits (biases stay in ANN units), thresholds per %s', async (granularity) => {
    const net = tinyNet();
    const images = randomImages(32, 17);
    const T = 400;
    const r = await convert(net, { kind: 'threshold', timesteps: T, calibration: { statistic: 'max', granularity } }, { calibrationImages: images });
    const th = r.info.layers[0]!.threshold;
    expect(typeof th === 'number' ? 'layer' : `channel × ${th!.length}`).toBe(granularity === 'layer' ? 'layer' : 'channel × 3');
    expect(r.info.notes.join(' ')).toMatch(/weights normalised: 1 kernel/);
    const snn = tf.tidy(() => tf.div(r.snn.forward(images, { release: true }).logits, T).arraySync() as number[][]);
    const ann = tf.tidy(() => net.forwardAnn(images).arraySync() as number[][]);
    const range = Math.max(...ann.flat()) - Math.min(...ann.flat());
    const err = Math.max(...snn.flatMap((row, i) => row.map((v, j) => Math.abs(v - ann[i]![j]!))));
    expect(err).toBeLessThan(0.05 * range);
    r.dispose();
    images.dispose();
    net.dispose();
  });

  it('an identity shortcut carrying spikes gets a θ-scale (affine), and the SNN still tracks the ANN', async () => {
    const spec = parseWith(ModelSpec, {
      input: { channels: 1, height: 4, width: 4 },
      classes: 2,
      layers: [
        { kind: 'conv2d', filters: 2, kernelSize: 3, useBias: true }, { kind: 'activation', fn: 'relu' },
        { kind: 'residual', body: [{ kind: 'conv2d', filters: 2, kernelSize: 3, useBias: true }], shortcut: [] },
        { kind: 'activation', fn: 'relu' }, { kind: 'globalAvgPool' }, { kind: 'linear', units: 2, useBias: true },
      ],
    }, 'test');
    const net = Network.create(spec, { seed: 4 });
    const rng = createRng(6);
    for (const p of net.params.list()) net.params.assign(p.name, Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.5));
    const images = tf.tensor4d(Float32Array.from({ length: 16 * 16 }, () => rng.next()), [16, 4, 4, 1]);
    const T = 300;
    const r = await convert(net, { kind: 'threshold', timesteps: T, calibration: { statistic: 'max' } }, { calibrationImages: images });
    const res = r.network.spec.layers[2]! as Extract<(typeof r.network.spec.layers)[number], { kind: 'residual' }>;
    expect(res.shortcut.map((l) => l.kind)).toEqual(['affine']);
    // Per-channel thresholds (the default): each shortcut channel is scaled by its own θ.
    const theta0 = r.info.layers[0]!.threshold as number[];
    expect(theta0).toHaveLength(2);
    (r.network.params.get('layers.2.shortcut.0.scale').arraySync() as number[]).forEach((v, c) => expect(v).toBeCloseTo(theta0[c]!, 5));
    const snn = tf.tidy(() => tf.div(r.snn.forward(images, { release: true }).logits, T).arraySync() as number[][]);
    const ann = tf.tidy(() => net.forwardAnn(images).arraySync() as number[][]);
    const range = Math.max(...ann.flat()) - Math.min(...ann.flat());
    const err = Math.max(...snn.flatMap((row, i) => row.map((v, j) => Math.abs(v - ann[i]![j]!))));
    expect(err).toBeLessThan(0.1 * range);
    r.dispose();
    images.dispose();
    net.dispose();
  });
});

describe('convert: fs recipe', () => {
  it('FS-ReLU (K = 10, α = 25) equals the ANN with its hidden layer floor-quantised to 25/2^10', async () => {
    const net = tinyNet();
    const images = randomImages(64, 7);
    const r = await convert(net, { kind: 'fs', reluAlpha: 25 }, { calibrationImages: images });
    expect(r.info.steps).toBe(10);
    expect(r.info.timesteps).toBe(1);
    expect(r.info.gradedSpikes).toBe(true);
    const snn = tf.tidy(() => r.snn.forward(images).logits.arraySync() as number[][]);
    const q = 25 / 2 ** 10;
    const expected = tf.tidy(() => {
      const h = tf.relu(tf.add(tf.matMul(tf.reshape(images, [64, 4]), net.params.get('layers.1.kernel') as tf.Tensor2D), net.params.get('layers.1.bias')));
      const hq = tf.mul(tf.floor(tf.div(tf.minimum(h, 25 * (1 - 2 ** -10)), q)), q);
      return tf.add(tf.matMul(hq as tf.Tensor2D, net.params.get('layers.3.kernel') as tf.Tensor2D), net.params.get('layers.3.bias')).arraySync() as number[][];
    });
    const ann = tf.tidy(() => net.forwardAnn(images).arraySync() as number[][]);
    const w2 = net.params.get('layers.3.kernel').arraySync() as number[][];
    const bound = Math.max(...[0, 1].map((o) => w2.reduce((a, row) => a + Math.abs(row[o]!), 0))) * q;
    let maxQ = 0;
    let maxAnn = 0;
    snn.forEach((row, i) => row.forEach((v, j) => {
      maxQ = Math.max(maxQ, Math.abs(v - expected[i]![j]!));
      maxAnn = Math.max(maxAnn, Math.abs(v - ann[i]![j]!));
    }));
    expect(maxQ).toBeLessThan(1e-4);
    expect(maxAnn).toBeLessThanOrEqual(bound);
    expect(maxAnn).toBeGreaterThan(0); // it is a quantisation, not the ANN itself
    r.dispose();
    images.dispose();
    net.dispose();
  });

  it("by default α puts the largest calibration input at the top of the range: no clipping, a finer step", async () => {
    const net = tinyNet();
    const images = randomImages(64, 7);
    const r = await convert(net, { kind: 'fs' }, { calibrationImages: images });
    const h = tf.tidy(() => tf.add(tf.matMul(tf.reshape(images, [64, 4]), net.params.get('layers.1.kernel') as tf.Tensor2D), net.params.get('layers.1.bias')));
    const max = tf.tidy(() => tf.max(h).dataSync()[0]!);
    const alpha = max / (1 - 2 ** -10);
    expect(r.info.layers[0]!.note).toBe(`α = ${alpha.toPrecision(4)} (clip at ${max.toPrecision(4)})`);
    const q = alpha / 2 ** 10;
    const expected = tf.tidy(() => {
      const hq = tf.mul(tf.floor(tf.div(tf.relu(h), q)), q);
      return tf.add(tf.matMul(hq as tf.Tensor2D, net.params.get('layers.3.kernel') as tf.Tensor2D), net.params.get('layers.3.bias')).arraySync() as number[][];
    });
    const snn = tf.tidy(() => r.snn.forward(images).logits.arraySync() as number[][]);
    snn.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThan(1e-4)));
    h.dispose();
    r.dispose();
    images.dispose();
    net.dispose();
  });

  it("fit 'missing' (the paper's): SiLU uses the published 16-step set; tanh spikelite's reference set; another K needs fitting (refused when fitting is off)", async () => {
    const images = randomImages(32, 9);
    const silu = tinyNet('silu');
    const r = await convert(silu, { kind: 'fs', fit: 'missing' }, { calibrationImages: images });
    expect(r.info.steps).toBe(16);
    expect(r.info.layers[0]!.note).toBeNull();
    r.dispose();
    const tanh = tinyNet('tanh');
    const ref = await convert(tanh, { kind: 'fs', fit: 'missing' }, { calibrationImages: images, fsFit: false });
    expect(ref.info.layers[0]!.note).toBe("spikelite's reference tanh set");
    ref.dispose();
    await expect(convert(tanh, { kind: 'fs', K: 6, fit: 'missing' }, { calibrationImages: images, fsFit: false })).rejects.toThrow(/layers\.2 \(tanh\): the reference tanh coefficients are for K = 16, not 6/);
    const fitted = await convert(tanh, { kind: 'fs', K: 6, fit: 'missing' }, { calibrationImages: images, fsFit: { restarts: 1, iterations: 100 } });
    expect(fitted.info.layers[0]!.neuron).toBe('fs');
    expect(fitted.info.layers[0]!.note).toMatch(/fitted on/);
    fitted.dispose();
    tanh.dispose();
    silu.dispose();
    images.dispose();
  });
});

describe('convert: validation', () => {
  it('names the layer an IF-based recipe cannot map, and why', async () => {
    const net = tinyNet('sigmoid');
    const images = randomImages(8, 1);
    const err = await convert(net, { kind: 'threshold' }, { calibrationImages: images }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConversionError);
    expect((err as ConversionError).layer).toBe('layers.2');
    expect((err as Error).message).toMatch(/layers\.2 \(sigmoid\): the threshold recipe maps only ReLU-like activations .*; convert sigmoid with the fs recipe \(--method fs\)/);
    images.dispose();
    net.dispose();
  });

  it("per-channel thresholds: refused by the hybrid recipe (single-spike neurons hold one θ) and with 'snn' balancing", async () => {
    const net = tinyNet();
    const images = randomImages(8, 1);
    await expect(convert(net, { kind: 'hybrid', finetuneEpochs: 0, calibration: { granularity: 'channel' } }, { calibrationImages: images })).rejects.toThrow(
      /calibration\.granularity 'channel': the hybrid recipe's neurons hold one threshold per layer \(use 'layer'; threshold and diet take 'channel'\)/,
    );
    await expect(convert(net, { kind: 'threshold' }, { calibrationImages: images, calibrationMode: 'snn' })).rejects.toThrow(
      /calibration\.granularity 'channel' needs calibrationMode 'ann'/,
    );
    images.dispose();
    net.dispose();
  });

  it('refuses unfolded BatchNorm, and diet or hybrid fine-tuning without training data', () => {
    const bn = tinyNet('relu', [{ kind: 'batchNorm' }]);
    expect(validateConversion(bn, { kind: 'fs' }).errors.map((e) => e.layer)).toEqual(['layers.2']);
    const net = tinyNet();
    expect(validateConversion(net, { kind: 'diet' }).errors[0]!.reason).toMatch(/needs training data/);
    expect(validateConversion(net, { kind: 'diet', finetuneEpochs: 0 }).errors).toEqual([]);
    expect(validateConversion(net, { kind: 'hybrid' }).errors[0]!.reason).toMatch(/hybrid recipe fine-tunes for 1 epoch\(s\) and needs training data/);
    expect(validateConversion(net, { kind: 'hybrid', finetuneEpochs: 0 }).errors).toEqual([]);
    expect(validateConversion(tinyNet('tanh'), { kind: 'hybrid', finetuneEpochs: 0 }).errors[0]!.reason).toMatch(/layers\.2 \(tanh\): the hybrid recipe maps only ReLU-like/);
    expect(validateConversion(tinyNet('silu'), { kind: 'threshold' }).notes[0]).toMatch(/silu approximated as relu/);
    expect(() => validateConversion(net, { kind: 'threshold', timesteps: 0 })).toThrow(/timesteps/);
    bn.dispose();
    net.dispose();
  });
});

describe('maxPool → avgPool', () => {
  it('replaces every maxPool (also inside residual blocks) and keeps the weights', () => {
    const spec = parseWith(ModelSpec, {
      input: { channels: 1, height: 4, width: 4 },
      classes: 2,
      layers: [
        { kind: 'conv2d', filters: 2, kernelSize: 3, padding: 'same' }, { kind: 'activation', fn: 'relu' }, { kind: 'maxPool', poolSize: 2 },
        { kind: 'residual', body: [{ kind: 'conv2d', filters: 2, kernelSize: 1 }], shortcut: [] },
        { kind: 'flatten' }, { kind: 'linear', units: 2 },
      ],
    }, 'test');
    const net = Network.create(spec, { seed: 3 });
    const avg = withAvgPool(net)!;
    expect(countMaxPools(net.spec)).toBe(1);
    expect(countMaxPools(avg.spec)).toBe(0);
    expect(avg.spec.layers[2]!.kind).toBe('avgPool');
    expect(avg.params.get('layers.0.kernel').arraySync()).toEqual(net.params.get('layers.0.kernel').arraySync());
    expect(withAvgPool(tinyNet())).toBeNull();
    avg.dispose();
    net.dispose();
  });
});

describe('maxPool before its neuron (direct input)', () => {
  /** conv → relu → maxPool(3, stride 2, pads 1: the ResNet stem) → conv → relu → maxPool 2 → flatten → linear. */
  function stemNet(fn: 'relu' | 'silu' = 'relu'): Network {
    const spec = parseWith(ModelSpec, {
      input: { channels: 1, height: 8, width: 8 },
      classes: 3,
      layers: [
        { kind: 'conv2d', filters: 3, kernelSize: 3, padding: 'same', useBias: true }, { kind: 'activation', fn },
        { kind: 'maxPool', poolSize: 3, strides: 2, padding: { top: 1, bottom: 1, left: 1, right: 1 } },
        { kind: 'conv2d', filters: 2, kernelSize: 3, padding: 'same' }, { kind: 'activation', fn: 'relu' }, { kind: 'maxPool', poolSize: 2 },
        { kind: 'flatten' }, { kind: 'linear', units: 3 },
      ],
    }, 'test');
    return Network.create(spec, { seed: 5 });
  }
  const images = (n: number, seed: number): tf.Tensor4D => {
    const rng = createRng(seed);
    return tf.tensor4d(Float32Array.from({ length: n * 64 }, () => rng.next()), [n, 8, 8, 1]);
  };

  it('moves only the pool whose activation input is the same at every step, and the ANN is unchanged', () => {
    const net = stemNet();
    const moved = withPoolsBeforeNeurons(net)!;
    expect(moved.moved).toEqual(['layers.1']);
    expect(moved.network.spec.layers.map((l) => l.kind)).toEqual(['conv2d', 'maxPool', 'activation', 'conv2d', 'activation', 'maxPool', 'flatten', 'linear']);
    const x = images(4, 1);
    const [a, b] = [net.forwardAnn(x), moved.network.forwardAnn(x)];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([x, a, b]);
    moved.network.dispose();
    net.dispose();
  });

  it('leaves pools alone after a non-monotone activation, or when the activation also feeds another layer', () => {
    const silu = stemNet('silu');
    expect(withPoolsBeforeNeurons(silu)).toBeNull();
    const shared = Network.create(parseWith(ModelSpec, {
      input: { channels: 1, height: 4, width: 4 },
      classes: 2,
      layers: [
        { kind: 'conv2d', filters: 2, kernelSize: 1, name: 'c' }, { kind: 'activation', fn: 'relu', name: 'r' },
        { kind: 'maxPool', poolSize: 2, name: 'p' }, { kind: 'flatten', name: 'f' },
        { kind: 'flatten', inputs: ['r'], name: 'g' }, { kind: 'concat', inputs: ['f', 'g'], axis: -1 }, { kind: 'linear', units: 2 },
      ],
    }, 'test'), { seed: 1 });
    expect(withPoolsBeforeNeurons(shared)).toBeNull();
    silu.dispose();
    shared.dispose();
  });

  it('threshold conversion: the moved neuron fires floor(1/2 + T·a/θ) spikes for its pooled ANN value a (an IF neuron on a constant current)', async () => {
    const net = stemNet();
    const calib = images(16, 2);
    const T = 7;
    const r = await convert(net, { kind: 'threshold', timesteps: T, calibration: { granularity: 'layer' } }, { calibrationImages: calib });
    expect(r.info.maxPool.beforeNeuron).toEqual(['layers.1']);
    expect(r.info.notes.some((n) => n.startsWith('layers.1 (maxPool): pooled before its neuron'))).toBe(true);
    expect(r.info.notes.some((n) => n.startsWith('1 maxPool layer(s) kept'))).toBe(true);
    const theta = r.info.layers[0]!.threshold as number;
    const x = images(8, 3);
    // The ANN's pooled activation of the first block, computed here with tf from the conv's weights.
    const a = tf.tidy(() => {
      const conv = tf.add(tf.conv2d(x, net.params.get('layers.0.kernel') as tf.Tensor4D, 1, 'same'), net.params.get('layers.0.bias'));
      return tf.relu(tf.maxPool(tf.pad(conv, [[0, 0], [1, 1], [1, 1], [0, 0]], -1e30) as tf.Tensor4D, 3, 2, 'valid'));
    });
    const expected = Array.from(a.dataSync()).reduce((s, v) => s + Math.min(T, Math.max(0, Math.floor(0.5 + (T * v) / theta))), 0);
    const o = r.snn.forward(x);
    const first = tf.sum(o.spikeCounts.slice([0, 0], [1, T])).dataSync()[0]!;
    expect(expected).toBeGreaterThan(50);
    expect(Math.abs(first - expected)).toBeLessThanOrEqual(1); // a value on a rounding edge may differ in float32
    tf.dispose([x, a, calib, o.logits, o.spikeCounts]);
    r.dispose();
    net.dispose();
  });

  it('keeps the max over spikes under a non-direct encoding and for graded FS outputs', async () => {
    const net = stemNet();
    const calib = images(8, 4);
    const fs = await convert(net, { kind: 'fs', K: 4 }, { calibrationImages: calib, fsFit: false });
    expect(fs.info.maxPool.beforeNeuron).toEqual([]);
    fs.dispose();
    const avg = await convert(net, { kind: 'threshold', timesteps: 4 }, { calibrationImages: calib, maxPool: 'avg' });
    expect(avg.info.maxPool.beforeNeuron).toEqual([]);
    expect(avg.network.spec.layers.map((l) => l.kind)).toEqual(['conv2d', 'activation', 'avgPool', 'conv2d', 'activation', 'avgPool', 'flatten', 'linear']);
    avg.dispose();
    calib.dispose();
    net.dispose();
  });
});

describe('sweep and diet', () => {
  it('sweeps K of an FS conversion: one row per K, same ANN energy, at most K spikes per neuron', async () => {
    const net = tinyNet();
    const images = randomImages(40, 11);
    const labels = (tf.tidy(() => tf.argMax(net.forwardAnn(images), -1).arraySync()) as number[]);
    const rows = await sweep(net, { kind: 'fs' }, [2, 10], { calibrationImages: images, test: imageSet(images, labels) });
    expect(rows.map((r) => r.steps)).toEqual([2, 10]);
    expect(rows[1]!.accuracy).toBeGreaterThan(0.9); // labels are the ANN's own predictions
    expect(rows[0]!.energy.annPj).toBe(rows[1]!.energy.annPj);
    for (const r of rows) expect(r.spikesPerNeuron).toBeLessThanOrEqual(r.steps);
    expect(rows[0]!.spikesPerNeuron).toBeLessThan(rows[1]!.spikesPerNeuron);
    images.dispose();
    net.dispose();
  });

  it('diet fine-tunes the converted (normalised) weights on the given data and leaves the ANN alone', async () => {
    const net = tinyNet();
    const images = randomImages(64, 13);
    const labels = Array.from({ length: 64 }, (_, i) => i % 2);
    const ann = net.params.get('layers.3.kernel').arraySync() as number[][];
    const set = imageSet(images, labels);
    const r = await convert(net, { kind: 'diet', timesteps: 3, finetuneEpochs: 1 }, { calibrationImages: images, finetune: { train: set, test: set, batchSize: 16 } });
    expect(r.info.finetune?.images).toBe(64);
    expect(r.info.layers[0]!.neuron).toBe('lif');
    expect(r.network).not.toBe(net);
    expect(net.params.get('layers.3.kernel').arraySync()).toEqual(ann);
    // Before the fine-tune the kernel was the ANN's × θ (spikes carry θ); training moved it.
    const theta = r.info.layers[0]!.threshold as number;
    const tuned = r.network.params.get('layers.3.kernel').arraySync() as number[][];
    const moved = Math.max(...tuned.flatMap((row, i) => row.map((v, j) => Math.abs(v - ann[i]![j]! * theta))));
    expect(moved).toBeGreaterThan(1e-6);
    r.dispose();
    images.dispose();
    net.dispose();
  });
});

describe('hybrid recipe', () => {
  /** 8 images of 4 features in [0, 1], some exactly 0 (black pixels never spike). */
  function unitImages(): tf.Tensor4D {
    const rng = createRng(21);
    const v = Float32Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? 0 : 0.05 + 0.95 * rng.next()));
    return tf.tensor4d(v, [8, 1, 1, 4]);
  }

  it('single-spike LIF neurons at scale × θ, hybrid input, input spikes measured on the calibration images', async () => {
    const net = tinyNet();
    const images = unitImages();
    const r = await convert(net, { kind: 'hybrid', timesteps: 4, finetuneEpochs: 0, scale: 0.5, calibration: { statistic: 'max' } }, { calibrationImages: images });
    expect(r.info.layers[0]!.neuron).toBe('singleSpikeLif');
    expect(r.info.layers[0]!.threshold).toBeCloseTo((r.info.thresholds![0] as number) * 0.5, 6);
    expect(r.snn.encoder.kind).toBe('hybrid');
    expect([0, 1, 3].map((t) => r.snn.encoder.isAnalog(t))).toEqual([true, false, false]);
    // Every non-zero element spikes exactly once over steps 1..3: 21 of 32 are non-zero (i % 3 ≠ 0).
    expect(r.info.input).toEqual({ analogSteps: 1, inputSpikesPerElement: 21 / 32 });
    expect(r.info.finetune).toBeNull();
    r.dispose();
    images.dispose();
    net.dispose();
  });

  it('fine-tunes with the spike-time loss; no hidden neuron fires twice', async () => {
    const net = tinyNet();
    const images = unitImages();
    const labels = Array.from({ length: 8 }, (_, i) => i % 2);
    const set = imageSet(images, labels);
    const lines: string[] = [];
    const r = await convert(net, { kind: 'hybrid', timesteps: 5, finetuneEpochs: 2 }, { calibrationImages: images, finetune: { train: set, test: set, batchSize: 4 }, log: (m) => lines.push(m) });
    expect(r.info.finetune?.images).toBe(8);
    expect(lines.some((l) => /^hybrid: output threshold θ_out = \d/.test(l))).toBe(true);
    const sums: tf.Tensor[] = [];
    tf.tidy(() => {
      r.snn.forward(images, { release: true, onSpikes: (_l, _t, s) => { const prev = sums.pop(); sums.push(tf.keep(prev ? tf.add(prev, s) : tf.clone(s))); prev?.dispose(); } });
    });
    expect(tf.max(sums[0]!).dataSync()[0]).toBeLessThanOrEqual(1);
    expect(r.info.finetune!.spikesPerNeuron!).toBeLessThanOrEqual(1);
    expect(tf.sum(sums[0]!).dataSync()[0]).toBeGreaterThan(0); // the check above is not vacuous
    tf.dispose(sums);
    r.dispose();
    images.dispose();
    net.dispose();
  });
});
