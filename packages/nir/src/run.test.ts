import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { everyPrimitive } from '../test/graphs.js';
import { referenceRun } from '../test/reference.js';
import type { NirGraph } from './graph.js';
import { nirNeuronSpec } from './neurons.js';
import { runNir } from './run.js';
import { filledTensor, nirTensor } from './tensor.js';
import { nirToSpikelite } from './to-spikelite.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

let seed = 3;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
const randT = (shape: number[], scale = 1) => nirTensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * scale), shape);
const rows = (n: number, size: number, p = 0.3) => Array.from({ length: n }, () => Array.from({ length: size }, () => (Math.abs(rand()) < p ? 1 : 0)));

describe('runNir (through nirToSpikelite and SnnModel)', () => {
  it('Affine, Scale, Threshold, summed edges and a fan-out, worked by hand', () => {
    // in (2) → aff: y = [[1, 2], [0, 1]]·x + [0.5, 0] → scale ×[2, 1] → thr > [1, 0.5] → out
    //        in → lin: [[1, 1], [1, 1]]·x ─┐
    //        aff ───────────────────────── sum: NIR adds both edges, then thr2 (> 2.5)
    //        out's input is thr + thr2
    const graph: NirGraph = {
      type: 'NIRGraph',
      nodes: {
        in: { type: 'Input', shape: [2] },
        aff: { type: 'Affine', weight: nirTensor([1, 2, 0, 1], [2, 2]), bias: nirTensor([0.5, 0]) },
        scale: { type: 'Scale', scale: nirTensor([2, 1]) },
        thr: { type: 'Threshold', threshold: nirTensor([1, 0.5]) },
        lin: { type: 'Linear', weight: nirTensor([1, 1, 1, 1], [2, 2]) },
        thr2: { type: 'Threshold', threshold: nirTensor([2.5]) },
        out: { type: 'Output', shape: [2] },
      },
      edges: [['in', 'aff'], ['aff', 'scale'], ['scale', 'thr'], ['thr', 'out'], ['in', 'lin'], ['aff', 'thr2'], ['lin', 'thr2'], ['thr2', 'out']],
    };
    const x = [[1, 0], [0, 1], [0, 0], [1, 1]];
    const before = tf.memory().numTensors;
    const { outputs, readout } = runNir(graph, x);
    expect(tf.memory().numTensors).toBe(before);
    // aff: [1.5, 0], [2.5, 1], [0.5, 0], [3.5, 1]; scale: [3, 0], [5, 1], [1, 0], [7, 1] → thr: [1, 0], [1, 1], [0, 0], [1, 1]
    // lin: [1, 1], [1, 1], [0, 0], [2, 2]; aff + lin: [2.5, 1], [3.5, 2], [0.5, 0], [5.5, 3] → thr2: [0, 0], [1, 0], [0, 0], [1, 1]
    expect(outputs['out']).toEqual([[1, 0], [2, 1], [0, 0], [2, 2]]);
    expect(readout).toBe('spikes');
    const imported = nirToSpikelite(graph);
    // The fan-in became an add; the Output's two edges another one (the last layer).
    expect(imported.spec.layers.map((l) => `${l.kind}:${l.name}:${(l.inputs ?? []).join('+')}`)).toEqual([
      'linear:aff:input', 'linear:lin:input', 'affine:scale:aff', 'add:thr2#sum1:aff+lin', 'activation:thr2:thr2#sum1', 'activation:thr:scale', 'add:out#sum1:thr+thr2',
    ]);
  });

  it('a nested subgraph runs inlined, as the reference runs the same graph written flat', () => {
    const lif = { type: 'LIF' as const, tau: filledTensor([3], 2e-3), r: filledTensor([3], 1), v_leak: filledTensor([3], 0.1), v_threshold: nirTensor([0.3, 0.4, 0.5]), v_reset: filledTensor([3], -0.1) };
    const w = randT([3, 4]);
    const sub: NirGraph = {
      type: 'NIRGraph',
      nodes: { i: { type: 'Input', shape: [4] }, w: { type: 'Linear', weight: w }, lif, o: { type: 'Output', shape: [3] } },
      edges: [['i', 'w'], ['w', 'lif'], ['lif', 'o']],
    };
    const nested: NirGraph = {
      type: 'NIRGraph',
      nodes: { input: { type: 'Input', shape: [4] }, sub, li: { type: 'LI', tau: filledTensor([3], 5e-3), r: filledTensor([3], 2), v_leak: filledTensor([3], 0) }, output: { type: 'Output', shape: [3] } },
      edges: [['input', 'sub.i'], ['sub', 'li'], ['li', 'output']],
    };
    const flat: NirGraph = {
      type: 'NIRGraph',
      nodes: { input: { type: 'Input', shape: [4] }, w: { type: 'Linear', weight: w }, lif, li: nested.nodes['li']!, output: { type: 'Output', shape: [3] } },
      edges: [['input', 'w'], ['w', 'lif'], ['lif', 'li'], ['li', 'output']],
    };
    const x = rows(40, 4, 0.5);
    const r = runNir(nested, x, { dt: 1e-3, recordVoltages: true });
    const ref = referenceRun(flat, x, 1e-3, 'nir');
    expect(r.readout).toBe('membrane');
    expect(Object.keys(r.voltages)).toEqual(['sub/lif', 'li']);
    const spikes = r.voltages['sub/lif']!.flat();
    expect(spikes.some((v) => v === Math.fround(-0.1))).toBe(true); // it fired and reset
    r.outputs['output']!.forEach((row, t) => row.forEach((v, j) => expect(Math.abs(v - ref.outputs[t]![j]!)).toBeLessThan(1e-5)));
    r.voltages['sub/lif']!.forEach((row, t) => row.forEach((v, j) => expect(Math.abs(v - ref.voltages['lif']![t]![j]!)).toBeLessThan(1e-5)));
  });

  it('convolutions (groups, dilation, stride, padding, "same"), pools and a partial Flatten against the reference, in NIR order', () => {
    // in (4, 9, 8) → conv (groups 2, dilation (2, 1), stride (1, 2), padding (2, 1)) → IF → avg (3×3, stride 2, padding 1)
    //   → conv 'same' 3×3 → IF → sum (2×2) → Flatten dims 1..2 → (C, H·W) → Scale → I → out
    const graph: NirGraph = {
      type: 'NIRGraph',
      nodes: {
        in: { type: 'Input', shape: [4, 9, 8] },
        c1: { type: 'Conv2d', weight: randT([6, 2, 3, 3], 0.6), bias: randT([6], 0.1), stride: [1, 2], padding: [2, 1], dilation: [2, 1], groups: 2, input_shape: [9, 8] },
        if1: { type: 'IF', r: filledTensor([1], 1), v_threshold: filledTensor([1], 0.5), v_reset: filledTensor([1], 0) },
        avg: { type: 'AvgPool2d', kernel_size: [3, 3], stride: [2, 2], padding: [1, 1] },
        c2: { type: 'Conv2d', weight: randT([3, 6, 3, 3], 0.8), bias: randT([3], 0.1), stride: [1, 1], padding: 'same', dilation: [1, 1], groups: 1, input_shape: null },
        if2: { type: 'IF', r: filledTensor([1], 1), v_threshold: randT([3, 5, 2], 0.2), v_reset: filledTensor([1], 0) },
        sum: { type: 'SumPool2d', kernel_size: [2, 2], stride: [2, 1], padding: [0, 0] },
        flat: { type: 'Flatten', start_dim: 1, end_dim: 2, input_type: [3, 2, 1] },
        scale: { type: 'Scale', scale: randT([3, 2]) },
        integ: { type: 'I', r: filledTensor([3, 2], 1) },
        out: { type: 'Output', shape: [3, 2] },
      },
      edges: [['in', 'c1'], ['c1', 'if1'], ['if1', 'avg'], ['avg', 'c2'], ['c2', 'if2'], ['if2', 'sum'], ['sum', 'flat'], ['flat', 'scale'], ['scale', 'integ'], ['integ', 'out']],
    };
    // if2's thresholds must be positive and distinct per (C, H, W) position.
    const th = graph.nodes['if2'] as Extract<NirGraph['nodes'][string], { type: 'IF' }>;
    (graph.nodes as Record<string, unknown>)['if2'] = { ...th, v_threshold: nirTensor(Array.from(th.v_threshold.data, (v) => 0.3 + Math.abs(v)), [3, 5, 2]) };
    const x = rows(12, 4 * 9 * 8, 0.4);
    const r = runNir(graph, x, { convention: 'norse', dt: 1, recordVoltages: true });
    const ref = referenceRun(graph, x, 1, 'step');
    for (const node of ['if1', 'if2']) {
      const fired = ref.spikes[node]!.flat().filter((s) => s === 1).length;
      expect(fired).toBeGreaterThan(10);
      r.voltages[node]!.forEach((row, t) => row.forEach((v, j) => expect(Math.abs(v - ref.voltages[node]![t]![j]!)).toBeLessThan(1e-4)));
    }
    expect(r.outputs['out']!.length).toBe(12);
    r.outputs['out']!.forEach((row, t) => row.forEach((v, j) => expect(Math.abs(v - ref.outputs[t]![j]!)).toBeLessThan(1e-4)));
    expect(r.readout).toBe('membrane');
    const kinds = nirToSpikelite(graph, { dt: 1 }).spec.layers.map((l) => l.kind);
    // tfjs convolves with a stride or a dilation, not both: stride 1, then every second column.
    expect(kinds).toEqual(['conv2d', 'slice', 'activation', 'avgPool', 'conv2d', 'activation', 'sumPool', 'transpose', 'reshape', 'affine', 'activation']);
  });

  it('names the node that does not map, or the problem of the input', () => {
    const prims = everyPrimitive().nodes;
    const one = (nodes: NirGraph['nodes'], edges: [string, string][]): NirGraph => ({ type: 'NIRGraph', nodes, edges });
    const line = (node: NirGraph['nodes'][string], shape: number[] = [4], out: number[] = shape) =>
      one({ input: { type: 'Input', shape }, n: node, output: { type: 'Output', shape: out } }, [['input', 'n'], ['n', 'output']]);
    expect(() => runNir(line(prims['delay']!), [[0, 0, 0, 0]], { dt: 1e-4, source: 'd.nir' })).toThrow(
      "d.nir: node 'n' (Delay): Delay does not map to a spikelite layer (spikelite layers have no axonal delays)",
    );
    expect(() => runNir(line(prims['conv1']!, [1, 10], [6, 5]), [new Array<number>(10).fill(0)], { source: 'c.nir' })).toThrow("c.nir: node 'n' (Conv1d): Conv1d does not map");
    expect(() => runNir(line(prims['lif']!), [[0, 0, 0, 0]], { source: 'l.nir' })).toThrow(
      "l.nir: node 'n' (LIF): needs dt (seconds per step): NIR files do not store it; pass dt, or the convention 'snntorch' (which implies 1e-4)",
    );
    expect(() => runNir(line(prims['lif']!, [5]), [[0, 0, 0, 0, 0]], { dt: 1 })).toThrow("node 'n' (LIF): its parameters have the neuron shape (4), its input has shape (5)");
    expect(() => runNir(line(prims['aff']!, [4, 1, 3], [4]), [new Array<number>(12).fill(0)])).toThrow(/node 'n' \(Affine\): its input is an image \(4, 1, 3\).*put a Flatten before it/);
    expect(() => runNir(line(prims['conv']!, [2, 8, 8], [4, 3, 4]), [new Array<number>(128).fill(0)])).toThrow(
      "node 'n' (Conv2d): field 'weight': the weight (C_out, C_in/groups, kH, kW) = (4, 1, 3, 3) with 1 group(s) takes 1 channels, its input has 2",
    );
    expect(() => runNir(line(prims['conv']!, [1, 9, 8], [4, 3, 4]), [new Array<number>(72).fill(0)])).toThrow("node 'n' (Conv2d): field 'input_shape': (8, 8) but its input is 9×8");
    // Recurrence (snnTorch's RLeaky writes one): the node on the cycle is named.
    const cyclic = one(
      { input: { type: 'Input', shape: [1] }, a: { type: 'Scale', scale: nirTensor([1]) }, b: { type: 'Scale', scale: nirTensor([1]) }, output: { type: 'Output', shape: [1] } },
      [['input', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'output']],
    );
    expect(() => runNir(cyclic, [[1]], { source: 'rec.nir' })).toThrow("rec.nir: node 'a' (Scale): is on a cycle (a recurrent edge): the NIR → spikelite mapping runs feed-forward graphs only");
    expect(() => runNir(everyPrimitive(), [[1]], { source: 'all.nir' })).toThrow('all.nir: the graph has 2 Input nodes (input, seq_in); the NIR → spikelite mapping takes exactly one');
    const dangling = one(
      { input: { type: 'Input', shape: [1] }, a: { type: 'Scale', scale: nirTensor([1]) }, b: { type: 'Scale', scale: nirTensor([1]) }, output: { type: 'Output', shape: [1] } },
      [['input', 'a'], ['a', 'output'], ['input', 'b']],
    );
    expect(() => runNir(dangling, [[1]])).toThrow("NIR graph: node 'b' (Scale): does not lead to the Output");
    expect(() => runNir(line(prims['scale']!), [[1, 2, 3]], { source: 's.nir' })).toThrow("s.nir: node 'input' (Input): input row 0 has 3 values, the node's shape (4) holds 4");
    expect(() => runNir(line(prims['scale']!), { other: [[1]] })).toThrow("node 'input' (Input): no input rows given for this Input node (got rows for other)");
  });
});

describe('nirNeuronSpec', () => {
  it('maps a LIF node to a nirLif spec, collapsing uniform arrays, optionally channels-last', () => {
    const lif = {
      type: 'LIF' as const,
      tau: filledTensor([2, 1, 3], 0.01),
      r: filledTensor([2, 1, 3], 1),
      v_leak: filledTensor([2, 1, 3], 0),
      // (C=2, H=1, W=3): channel 0 = [1, 2, 3], channel 1 = [4, 5, 6]
      v_threshold: nirTensor([1, 2, 3, 4, 5, 6], [2, 1, 3]),
      v_reset: filledTensor([2, 1, 3], 0),
    };
    expect(nirNeuronSpec(lif, { dt: 1e-4 })).toEqual({ kind: 'nirLif', dt: 1e-4, convention: 'nir', tau: Math.fround(0.01), r: 1, vLeak: 0, vThreshold: [1, 2, 3, 4, 5, 6], vReset: 0 });
    // (H=1, W=3, C=2): [1, 4, 2, 5, 3, 6]
    expect(nirNeuronSpec(lif, { dt: 1e-4, layout: 'channelsLast', convention: 'norse' })).toMatchObject({ convention: 'norse', vThreshold: [1, 4, 2, 5, 3, 6] });
    const cuba = { type: 'CubaLI' as const, tau_syn: nirTensor([1e-3]), tau_mem: nirTensor([2e-3]), r: nirTensor([1]), v_leak: nirTensor([0]), w_in: nirTensor([3]) };
    expect(nirNeuronSpec(cuba, { convention: 'snntorch' })).toEqual({
      kind: 'nirCubaLi', convention: 'snntorch', tauSyn: Math.fround(1e-3), tauMem: Math.fround(2e-3), r: 1, vLeak: 0, wIn: 3,
    });
    expect(nirNeuronSpec({ type: 'Threshold', threshold: nirTensor([0.5, 0.25]) }, { dt: 1 })).toEqual({ kind: 'nirThreshold', vThreshold: [0.5, 0.25] });
  });
});
