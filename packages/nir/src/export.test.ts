/**
 * spikelite SNN → NIR → spikelite: export, writeNir, readNir, nirToSpikelite, createNirSnn,
 * run, and compare with the original SnnModel on the same images: every spike of every
 * layer at every step, the logits (the `readout` integrator's last membrane), and the
 * parameters (weights bit for bit, thresholds, leaks as the β the NIR LIF steps with).
 *  - tooling/fixtures/onnx/fmnist-cnn-bn.onnx through @spikelite/onnx and @spikelite/conversion
 *    (threshold recipe, hard reset, max pools as average pools), on the 16 committed
 *    Fashion-MNIST test images;
 *  - a small DAG (residual add, per-channel LIF leaks and thresholds, a (H, W, C) flatten, an
 *    affine scale, biases) with random weights; hybrid input with single-spike LIF neurons;
 *  - the choices: a soft reset is written hard (with a warning), and what NIR cannot say
 *    fails naming the layer.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { convert } from '@spikelite/conversion';
import { createEncoder } from '@spikelite/encoding';
import { createRng, initEngine } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { importOnnx, networkFromImport } from '@spikelite/onnx';
import { ModelSpec, parseWith, type EncodingSpecInput, type LayerInput, type NeuronSpecInput } from '@spikelite/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NirExportError, exportSnnToNir } from './export.js';
import type { NirGraph } from './graph.js';
import { readNir } from './read.js';
import { runNir } from './run.js';
import { nirTensor } from './tensor.js';
import { sameGraph } from '../test/same-graph.js';
import { createNirSnn } from './snn.js';
import { nirToSpikelite } from './to-spikelite.js';
import { writeNir } from './write.js';

const ONNX = new URL('../../../tooling/fixtures/onnx/', import.meta.url).pathname;

/** Every layer's spikes per step (copies), the output at every step, and the logits. */
function record(snn: SnnModel, images: tf.Tensor): { spikes: Float32Array[][]; outputs: Float32Array[]; logits: Float32Array } {
  const spikes: Float32Array[][] = snn.neurons.map(() => []);
  const outputs: Float32Array[] = [];
  const r = snn.forward(images, {
    release: true,
    onSpikes: (l, t, s) => (spikes[l]![t] = Float32Array.from(s.dataSync())),
    onOutput: (t, y) => (outputs[t] = Float32Array.from(y.dataSync())),
  });
  const logits = Float32Array.from(r.logits.dataSync());
  tf.dispose([r.logits, r.spikeCounts]);
  return { spikes, outputs, logits };
}

/** Elements where two equally long arrays differ (bit for bit but for ±0), or −1 when their lengths differ. */
function differing(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

const total = (xs: Float32Array[]) => xs.reduce((acc, x) => acc + x.reduce((p, q) => p + q, 0), 0);

/** Export, write, read, import and build: the re-imported SNN with the original's encoding. */
async function roundTrip(snn: SnnModel, options: { dt?: number; convention?: 'nir' | 'snntorch' | 'spikingjelly' | 'norse' } = {}) {
  const exported = exportSnnToNir(snn, options);
  const bytes = await writeNir(exported.document);
  const doc = await readNir(bytes, { source: 'exported.nir' });
  expect(sameGraph(doc.graph, exported.document.graph)).toBeNull(); // every parameter, dtype and shape
  const imported = nirToSpikelite(doc.graph, { dt: exported.dt, convention: exported.convention, source: 'exported.nir' });
  const again = createNirSnn(imported, { timesteps: snn.timesteps, encoding: snn.encoder.spec });
  return { exported, imported, again, bytes };
}

/** The original and the re-imported SNN agree spike for spike, and on the logits; returns each layer's spike total. */
function expectSameRun(snn: SnnModel, again: SnnModel, images: tf.Tensor): number[] {
  const a = record(snn, images);
  const b = record(again, images);
  // The re-imported SNN has one more neuron layer: the readout integrator (I) before the Output.
  expect(b.spikes).toHaveLength(a.spikes.length + 1);
  const diffs = a.spikes.map((layer, l) => layer.map((s, t) => differing(s, b.spikes[l]![t]!)));
  expect(diffs).toEqual(a.spikes.map((layer) => layer.map(() => 0)));
  expect(differing(b.outputs[snn.timesteps - 1]!, a.logits)).toBe(0);
  return a.spikes.map(total);
}

function dispose(...snns: SnnModel[]): void {
  for (const s of snns) {
    s.dispose();
    s.network.dispose();
  }
}

describe.each(['cpu', 'wasm'] as const)('export → NIR file → import (%s)', (backend) => {
  let images: tf.Tensor4D;
  beforeAll(async () => {
    await initEngine({ backend });
    const pixels = Float32Array.from(readFileSync(`${ONNX}fmnist-test-16.u8`), (v) => v / 255);
    images = tf.tensor4d(pixels, [16, 28, 28, 1]);
  });
  afterAll(() => images.dispose());

  it('fmnist-cnn-bn.onnx converted (threshold, hard reset): identical parameters, spikes and logits on the 16 test images', async () => {
    const net = networkFromImport(importOnnx(new Uint8Array(readFileSync(`${ONNX}fmnist-cnn-bn.onnx`)), { label: 'fmnist-cnn-bn.onnx' }));
    // As this round trip was written: one threshold per layer, u(0) = 0 (NIR neurons start at v = 0).
    const conv = await convert(net, { kind: 'threshold', reset: 'hard', timesteps: 8, initialPotential: 0, calibration: { granularity: 'layer' } }, { calibrationImages: images, maxPool: 'avg' });
    const snn = conv.snn;
    const { exported, imported, again } = await roundTrip(snn);
    expect(exported.warnings).toEqual([]);
    // Node names follow the layer names (the ONNX importer's); the types and their order are the network's.
    const nodes = Object.entries(exported.document.graph.nodes);
    expect(nodes.map(([, n]) => n.type)).toEqual(['Input', 'Conv2d', 'IF', 'AvgPool2d', 'Conv2d', 'IF', 'AvgPool2d', 'Flatten', 'Affine', 'IF', 'Affine', 'I', 'Output']);
    expect(nodes.slice(-2).map(([k]) => k)).toEqual(['readout', 'output']);
    // Parameters: every weight layer's kernel and bias bit for bit, every threshold.
    const w0 = snn.network.graph.weightLayers;
    const w1 = again.network.graph.weightLayers;
    expect(w1.map((n) => n.op)).toEqual(w0.map((n) => n.op));
    const values = (net: Network, name: string) => net.params.get(name).dataSync() as Float32Array;
    w0.forEach((n, i) => {
      const m = w1[i]!;
      let kernel = values(snn.network, n.kernel);
      // After a flatten in spikelite's (h, w, c) order, NIR (and the re-import) hold the rows in (c, h, w) order.
      const flat = snn.network.graph.nodes[n.inputs[0]!];
      if (flat?.op === 'flatten' && flat.layer.order !== 'chw' && flat.input.length === 3) {
        const [h, w, c] = flat.input as [number, number, number];
        const units = n.output[0]!;
        const rows = new Float32Array(kernel.length);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) rows.set(kernel.subarray(((y * w + x) * c + k) * units, ((y * w + x) * c + k + 1) * units), ((k * h + y) * w + x) * units);
        kernel = rows;
      }
      expect([differing(values(again.network, m.kernel), kernel), differing(values(again.network, m.bias!), values(snn.network, n.bias!))]).toEqual([0, 0]);
    });
    snn.neurons.forEach((layer, l) => {
      if (layer.mode !== 'step' || again.neurons[l]!.mode !== 'step') throw new Error('step neurons expected');
      expect(again.neurons[l]!.getParameter('vThreshold')).toEqual(layer.getParameter('threshold'));
    });
    const firstIf = nodes.find(([, n]) => n.type === 'IF')![0];
    expect(imported.neurons.get(firstIf)).toEqual({ kind: 'nirIf', dt: 1e-3, convention: 'nir', r: 1000, vThreshold: snn.neurons[0]!.mode === 'step' ? snn.neurons[0]!.getParameter('threshold')[0] : NaN, vReset: 0 });
    const counts = expectSameRun(snn, again, images);
    for (const c of counts) expect(c).toBeGreaterThan(500); // every layer fires: measured 81,386, 51,202 and 994 spikes
    dispose(again);
    conv.dispose();
    net.dispose();
  });

  it('a DAG with per-channel LIF leaks and thresholds, a residual add, a (H, W, C) flatten and a scale, with the snntorch convention', async () => {
    const spec = parseWith(ModelSpec, {
      input: { channels: 2, height: 10, width: 10 },
      layers: [
        { kind: 'conv2d', name: 'c1', filters: 4, kernelSize: 3, padding: 'same', useBias: true },
        { kind: 'activation', name: 'n1', fn: 'relu' },
        { kind: 'conv2d', name: 'c2', filters: 4, kernelSize: 3, padding: { top: 1, bottom: 1, left: 1, right: 1 } },
        { kind: 'add', name: 'res', inputs: ['c2', 'n1'] },
        { kind: 'activation', name: 'n2', fn: 'relu' },
        { kind: 'sumPool', poolSize: 2 },
        { kind: 'flatten' },
        { kind: 'linear', units: 12, useBias: true },
        { kind: 'affine', shape: [12] },
        { kind: 'activation', name: 'n3', fn: 'relu' },
        { kind: 'linear', units: 3 },
      ] satisfies LayerInput[],
    }, 'dag');
    const net = Network.create(spec, { seed: 5, init: 'kaiming' });
    net.params.assign('layers.8.scale', Float32Array.from({ length: 12 }, (_, j) => 0.5 + j / 12));
    const neuron: NeuronSpecInput = { kind: 'lif', granularity: 'channel', reset: 'hard' };
    const snn = new SnnModel(net, { timesteps: 6, neuron: neuron as never, encoder: createEncoder({ kind: 'direct' }, { timesteps: 6 }) });
    const seed = { s: 11 };
    const rand = () => ((seed.s = (seed.s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    snn.neurons.forEach((layer) => {
      if (layer.mode !== 'step') return;
      const c = layer.getParameter('threshold').length;
      layer.setParameter('leak', Array.from({ length: c }, () => 0.6 + 0.35 * rand()));
      layer.setParameter('threshold', Array.from({ length: c }, () => 0.2 + 0.3 * rand()));
    });
    const x = tf.tensor4d(Float32Array.from({ length: 4 * 200 }, () => rand()), [4, 10, 10, 2]);
    const { exported, again } = await roundTrip(snn, { convention: 'snntorch' });
    expect(exported.dt).toBe(1e-4);
    const lif = exported.document.graph.nodes['n1'];
    if (lif?.type !== 'LIF') throw new Error('expected a LIF');
    expect(lif.tau.dtype).toBe('float64');
    expect(lif.tau.shape).toEqual([4, 10, 10]);
    // The residual add is two edges into n2; the (H, W, C) flatten a NIR Flatten, the Affine's columns permuted.
    expect(exported.document.graph.edges.filter(([, to]) => to === 'n2')).toEqual([['c2', 'n2'], ['n1', 'n2']]);
    // β = 1 − dt/τ, rounded to float32, is the leak.
    snn.neurons.forEach((layer, l) => {
      const leak = layer.mode === 'step' ? layer.getParameter('leak') : [];
      const spec = again.neurons[l]!.spec;
      if (spec.kind !== 'nirLif') throw new Error('nirLif expected');
      const taus = typeof spec.tau === 'number' ? [spec.tau] : spec.tau;
      // (H, W, C) or features: the first C values are the channels at the first position.
      expect(taus.slice(0, leak.length).map((tau) => Math.fround(1 - spec.dt / tau))).toEqual(leak);
    });
    const counts = expectSameRun(snn, again, x);
    for (const c of counts) expect(c).toBeGreaterThan(20); // measured 1,498, 3,438 and 101
    dispose(snn, again);
    x.dispose();
  });

  it('hybrid input and single-spike LIF: the same spikes (the fire-once neuron is a LIF reset to −1e30)', async () => {
    const spec = parseWith(ModelSpec, {
      input: { channels: 1, height: 8, width: 8 },
      layers: [{ kind: 'flatten', order: 'chw' }, { kind: 'linear', units: 16 }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 4 }],
    }, 'mlp');
    const net = Network.create(spec, { seed: 2, init: 'kaiming' });
    const encoding: EncodingSpecInput = { kind: 'hybrid', analogSteps: 1, temporal: { tMin: 1 } };
    const snn = new SnnModel(net, { timesteps: 8, neuron: { kind: 'singleSpikeLif', leak: 0.9, threshold: 0.3 } as never, encoder: createEncoder(encoding, { timesteps: 8 }) });
    const x = tf.tensor4d(Float32Array.from({ length: 3 * 64 }, (_, i) => ((i * 37) % 101) / 100), [3, 8, 8, 1]);
    const { exported, again } = await roundTrip(snn);
    expect(exported.warnings).toEqual([
      'layers.2: single-spike LIF written as LIF with v_reset = -1e+30 (NIR has no fire-once neuron; over 8 steps it cannot fire twice, so the spikes are the same)',
    ]);
    expect(exported.document.graph.metadata).toMatchObject({ source: 'spikelite', convention: 'nir', encoding: JSON.stringify(snn.encoder.spec) });
    const [count] = expectSameRun(snn, again, x);
    expect(count).toBeGreaterThan(5); // measured 31 of at most 48 (16 neurons, 3 images, once each)
    dispose(snn, again);
    x.dispose();
  });
});

describe('NIR kinds back to NIR', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('an imported CubaLIF/Threshold/LI/I graph exported at another dt and convention runs the same', async () => {
    let seed = 9;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const t = (shape: number[], f: () => number = rand) => nirTensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f), shape);
    const graph: NirGraph = {
      type: 'NIRGraph',
      nodes: {
        in: { type: 'Input', shape: [3] },
        lin: { type: 'Linear', weight: t([4, 3]) },
        cuba: { type: 'CubaLIF', tau_syn: t([4], () => 2e-3 + rand() * 1e-3), tau_mem: t([4], () => 5e-3), r: t([4], () => 1.5), v_leak: t([4], () => 0.01), v_threshold: t([4], () => 0.1), v_reset: t([4], () => 0), w_in: t([4], () => 2) },
        aff: { type: 'Affine', weight: t([4, 4]), bias: t([4], () => 0.1) },
        thr: { type: 'Threshold', threshold: t([4], () => 0.05) },
        lin2: { type: 'Linear', weight: t([2, 4]) },
        li: { type: 'LI', tau: t([2], () => 4e-3), r: t([2], () => 1), v_leak: t([2], () => 0) },
        integ: { type: 'I', r: t([2], () => 500) },
        out: { type: 'Output', shape: [2] },
      },
      edges: [['in', 'lin'], ['lin', 'cuba'], ['cuba', 'aff'], ['aff', 'thr'], ['thr', 'lin2'], ['lin2', 'li'], ['li', 'integ'], ['integ', 'out']],
    };
    const rows = Array.from({ length: 30 }, () => [0, 1, 2].map(() => (rand() > 0.2 ? 1 : 0)));
    const first = runNir(graph, rows, { dt: 1e-3, recordVoltages: true });
    const snn = createNirSnn(nirToSpikelite(graph, { dt: 1e-3 }), { timesteps: 1 });
    const { document, dt, convention } = exportSnnToNir(snn, { dt: 1e-4, convention: 'snntorch', readout: 'none' });
    snn.dispose();
    snn.network.dispose();
    const written = (await readNir(await writeNir(document))).graph;
    // dt/τ is kept (τ scaled by 1e-4/1e-3); the I's per-step gain dt·r = 0.5 becomes r = 0.5 per step.
    const cuba = written.nodes['cuba'];
    const integ = written.nodes['integ'];
    if (cuba?.type !== 'CubaLIF' || integ?.type !== 'I') throw new Error('unexpected types');
    expect(cuba.tau_mem.data[0]).toBeCloseTo(5e-4, 10);
    expect(Array.from(integ.r.data)).toEqual([0.5, 0.5]);
    const again = runNir(written, rows, { dt, convention, recordVoltages: true });
    // Both spiking layers fired (a neuron that fired holds its v_reset, 0, after the step).
    for (const node of ['cuba', 'thr']) expect(first.voltages[node]!.flat().filter((v) => v === 0).length).toBeGreaterThan(5);
    expect(again.outputs['output']!.length).toBe(30); // the export names its Output 'output'
    let worst = 0;
    again.outputs['output']!.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - first.outputs['out']![i]![j]!)))));
    expect(worst).toBeLessThan(1e-5);
    expect(again.voltages['thr']).toEqual(first.voltages['thr']);
  });
});

describe('export choices and refusals', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });
  const mlp = (extra: LayerInput[] = []) =>
    Network.create(parseWith(ModelSpec, { input: { channels: 1, height: 4, width: 4 }, layers: [...extra, { kind: 'flatten' }, { kind: 'linear', units: 5 }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 2 }] }, 'mlp'), { seed: 1 });
  const snnOf = (net: Network, neuron: NeuronSpecInput, encoding: EncodingSpecInput = { kind: 'direct' }) =>
    new SnnModel(net, { timesteps: 4, neuron: neuron as never, encoder: createEncoder(encoding, { timesteps: 4, rng: createRng(1) }) });

  it('a soft reset is written as a hard one, with a warning; the re-imported SNN runs as the hard-reset original', async () => {
    const soft = snnOf(mlp(), { kind: 'if', threshold: 0.05, reset: 'soft' });
    const hard = snnOf(soft.network, { kind: 'if', threshold: 0.05, reset: 'hard' });
    const { exported, again } = await roundTrip(soft);
    expect(exported.warnings).toEqual([
      'layers.2: soft (subtractive) reset written as a hard reset to 0 (NIR has no subtractive reset); spikes differ wherever the membrane overshoots the threshold',
    ]);
    const x = tf.tensor4d(Float32Array.from({ length: 32 }, (_, i) => (i % 7) / 7), [2, 4, 4, 1]);
    expectSameRun(hard, again, x);
    const s = record(soft, x).spikes[0]!;
    const h = record(hard, x).spikes[0]!;
    expect(s.reduce((n, st, t) => n + differing(st, h[t]!), 0)).toBeGreaterThan(0); // the choice matters here
    hard.dispose();
    dispose(soft, again);
    x.dispose();
  });

  it('names the layer NIR cannot express', () => {
    const cases: Array<[SnnModel, RegExp]> = [
      [snnOf(mlp(), { kind: 'fs', activation: 'relu' }), /^layers\.2 \(activation 'relu'\): neuron kind 'fs' cannot be written as NIR \(supported: if, lif, singleSpikeLif, nirLif, /],
      [snnOf(mlp(), { kind: 'general' }), /^layers\.2 \(activation 'relu'\): neuron kind 'general' cannot be written as NIR/],
      [snnOf(mlp(), { kind: 'lif', order: 'previous' }), /^layers\.2 \(activation 'relu'\): LIF with order 'previous'/],
      [snnOf(mlp(), { kind: 'if', initialPotential: 0.5 }), /^layers\.2 \(activation 'relu'\): initial potential 0\.5·θ: NIR neurons start at v = 0/],
      [snnOf(mlp([{ kind: 'maxPool', poolSize: 2 }]), { kind: 'if' }), /^layers\.0 \(maxPool\): NIR has no maxPool primitive \(convert with maxPool: "avg"/],
      [snnOf(mlp([{ kind: 'avgPool', poolSize: 3, strides: 1, padding: { top: 1, bottom: 1, left: 1, right: 1 } }]), { kind: 'if' }), /^layers\.0 \(avgPool\): padded zeros do not count/],
      [snnOf(mlp([{ kind: 'conv2d', filters: 2, kernelSize: 2, padding: 'same' }]), { kind: 'if' }), /^layers\.0 \(conv2d\): padding \(top 0, bottom 1, left 0, right 1\) is not symmetric/],
      [snnOf(mlp([{ kind: 'batchNorm' }]), { kind: 'if' }), /^layers\.0 \(batchNorm\): NIR has no batchNorm primitive \(fold it/],
      [snnOf(mlp(), { kind: 'if' }, { kind: 'rate' }), /^the input: encoding 'rate' cannot be written as NIR/],
    ];
    for (const [snn, message] of cases) {
      let error: unknown;
      try {
        exportSnnToNir(snn);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NirExportError);
      expect((error as Error).message).toMatch(message);
      dispose(snn);
    }
    const lif = snnOf(mlp(), { kind: 'lif', leak: 0.9 });
    expect(() => exportSnnToNir(lif, { convention: 'norse' })).toThrow(/'norse' convention reads a LIF's input gain as dt\/τ/);
    dispose(lif);
  });
});
