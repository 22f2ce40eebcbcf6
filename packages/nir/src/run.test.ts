import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { everyPrimitive } from '../test/graphs.js';
import type { NirGraph } from './graph.js';
import { nirNeuronSpec } from './neurons.js';
import { runNir } from './run.js';
import { filledTensor, nirTensor } from './tensor.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('runNir (the small reference executor)', () => {
  it('Affine, Scale, Delay, Threshold, Flatten and summed edges, worked by hand', () => {
    // in (2) → aff: y = [[1, 2], [0, 1]]·x + [0.5, 0] → scale ×[2, 1] → delay [0, 2 steps] → thr > [1, 0.5]
    //        in → lin: [[1, 1]]·x → out2; and aff + lin summed into 'sum' (a Scale of 1)
    const graph: NirGraph = {
      type: 'NIRGraph',
      nodes: {
        in: { type: 'Input', shape: [2] },
        aff: { type: 'Affine', weight: nirTensor([1, 2, 0, 1], [2, 2]), bias: nirTensor([0.5, 0]) },
        scale: { type: 'Scale', scale: nirTensor([2, 1]) },
        delay: { type: 'Delay', delay: nirTensor([0, 0.002]) },
        thr: { type: 'Threshold', threshold: nirTensor([1, 0.5]) },
        out: { type: 'Output', shape: [2] },
        lin: { type: 'Linear', weight: nirTensor([1, 1], [1, 2]) },
        sum: { type: 'Scale', scale: nirTensor([1, 1]) },
        out2: { type: 'Output', shape: [2] },
        flat: { type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [2] },
        out3: { type: 'Output', shape: [2] },
      },
      edges: [
        ['in', 'aff'], ['aff', 'scale'], ['scale', 'delay'], ['delay', 'thr'], ['thr', 'out'],
        ['in', 'lin'], ['aff', 'sum'], ['lin', 'sum'], ['sum', 'out2'], ['delay', 'flat'], ['flat', 'out3'],
      ],
    };
    const x = [[1, 0], [0, 1], [0, 0], [0, 0]];
    const before = tf.memory().numTensors;
    const { outputs } = runNir(graph, x, { dt: 1e-3 });
    expect(tf.memory().numTensors).toBe(before); // every runner's tensors released
    // aff: [1.5, 0], [2.5, 1], [0.5, 0], [0.5, 0]; scale: [3, 0], [5, 1], [1, 0], [1, 0]
    // delay (element 1 by 2 steps): [3, 0], [5, 0], [1, 0], [1, 1]
    expect(outputs['out3']).toEqual([[3, 0], [5, 0], [1, 0], [1, 1]]);
    expect(outputs['out']).toEqual([[1, 0], [1, 0], [0, 0], [0, 1]]);
    // lin: 1, 1, 0, 0 broadcast onto aff: [2.5, 1], [3.5, 2], [0.5, 0], [0.5, 0]
    expect(outputs['out2']).toEqual([[2.5, 1], [3.5, 2], [0.5, 0], [0.5, 0]]);
  });

  it('Flatten merges start_dim..end_dim (batch excluded)', () => {
    const graph: NirGraph = {
      type: 'NIRGraph',
      nodes: {
        in: { type: 'Input', shape: [2, 2, 3] },
        f: { type: 'Flatten', start_dim: 1, end_dim: -1, input_type: [2, 2, 3] },
        scale: { type: 'Scale', scale: nirTensor([1, 1, 1, 1, 1, 1, 10, 10, 10, 10, 10, 10], [2, 6]) },
        out: { type: 'Output', shape: [2, 6] },
      },
      edges: [['in', 'f'], ['f', 'scale'], ['scale', 'out']],
    };
    // The Scale of shape (2, 6) only fits the flattened (2, 6): channel 1 is multiplied by 10.
    const row = Array.from({ length: 12 }, (_, i) => i);
    expect(runNir(graph, [row]).outputs['out']).toEqual([[0, 1, 2, 3, 4, 5, 60, 70, 80, 90, 100, 110]]);
  });

  it('names the node it cannot run', () => {
    const conv = everyPrimitive().nodes['conv']!;
    const g: NirGraph = { type: 'NIRGraph', nodes: { input: { type: 'Input', shape: [1, 8, 8] }, conv, out: { type: 'Output', shape: [4, 3, 4] } }, edges: [['input', 'conv'], ['conv', 'out']] };
    expect(() => runNir(g, [new Array<number>(64).fill(0)], { source: 'cnn.nir' })).toThrow(
      "cnn.nir: node 'conv' (Conv2d): Conv2d does not run in this executor (it is read and written; running it is the NIR → ModelSpec mapping's job)",
    );
    expect(() => runNir(everyPrimitive(), { input: [], seq_in: [] })).toThrow("NIR graph: node 'sub': edge into a subgraph ('sub.in'): subgraphs do not run in this executor");
    const cyclic: NirGraph = {
      type: 'NIRGraph',
      nodes: { in: { type: 'Input', shape: [1] }, a: { type: 'Scale', scale: nirTensor([1]) }, b: { type: 'Scale', scale: nirTensor([1]) } },
      edges: [['in', 'a'], ['a', 'b'], ['b', 'a']],
    };
    expect(() => runNir(cyclic, [[1]], { source: 'rec.nir' })).toThrow("rec.nir: node 'a' (Scale): is on a cycle: recurrent graphs do not run in this executor");
    expect(() => runNir(cyclic, [[1, 2]], { source: 'rec.nir' })).toThrow("rec.nir: node 'in' (Input): input row 0 has 2 values, the node's shape holds 1");
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
  });
});
