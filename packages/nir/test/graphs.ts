/** Hand-built NIR graphs for the tests: every primitive, several dtypes, a nested subgraph. */
import type { NirGraph } from '../src/graph.js';
import { filledTensor, nirTensor } from '../src/tensor.js';

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const t32 = (shape: number[], f: (i: number) => number = (i) => Math.sin(i + 1) / 3) => nirTensor(seq(shape.reduce((a, b) => a * b, 1), f), shape);

export function everyPrimitive(): NirGraph {
  const sub: NirGraph = {
    type: 'NIRGraph',
    nodes: {
      in: { type: 'Input', shape: [4] },
      w: { type: 'Linear', weight: t32([4, 4]) },
      cuba: {
        type: 'CubaLIF',
        tau_syn: t32([4], (i) => 1e-3 * (i + 1)),
        tau_mem: t32([4], (i) => 2e-3 * (i + 1)),
        r: filledTensor([4], 1),
        v_leak: filledTensor([4], 0),
        v_threshold: t32([4], (i) => 0.25 * (i + 1)),
        v_reset: filledTensor([4], -0.125),
        w_in: filledTensor([4], 2),
      },
      out: { type: 'Output', shape: [4] },
      // A recurrent edge, as snnTorch's RSynaptic export writes.
      rec: { type: 'Linear', weight: t32([4, 4], (i) => (i % 5 === 0 ? 0.5 : 0)) },
    },
    edges: [
      ['in', 'w'],
      ['w', 'cuba'],
      ['cuba', 'rec'],
      ['rec', 'cuba'],
      ['cuba', 'out'],
    ],
  };
  return {
    type: 'NIRGraph',
    nodes: {
      input: { type: 'Input', shape: [1, 8, 8] },
      conv: {
        type: 'Conv2d',
        weight: t32([4, 1, 3, 3]),
        bias: t32([4]),
        stride: [2, 1],
        padding: 'valid',
        dilation: [1, 2],
        groups: 1,
        input_shape: [8, 8],
      },
      if: { type: 'IF', r: filledTensor([4, 3, 4], 1), v_threshold: t32([4, 3, 4], (i) => 1 + i / 100), v_reset: filledTensor([4, 3, 4], 0) },
      sum: { type: 'SumPool2d', kernel_size: [3, 2], stride: [3, 2], padding: [0, 0] },
      avg: { type: 'AvgPool2d', kernel_size: [1, 2], stride: [1, 1], padding: [0, 1] },
      flat: { type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [4, 1, 3] },
      aff: { type: 'Affine', weight: t32([4, 12]), bias: nirTensor([0.5, -0.5, 0.25, 1e-7], [4], 'float64') },
      lif: {
        type: 'LIF',
        tau: t32([4], (i) => 1e-3 * (i + 2)),
        r: t32([4], (i) => 10 + i),
        v_leak: filledTensor([4], 0.01),
        v_threshold: filledTensor([4], 1),
        v_reset: filledTensor([4], 0),
        metadata: { source: 'graphs.ts', dt: nirTensor([1e-4], [], 'float64'), nested: { note: 'ü ∂ strings are UTF-8' } },
      },
      sub,
      delay: { type: 'Delay', delay: nirTensor([0, 1e-4, 2e-4, 4e-4], [4]) },
      scale: { type: 'Scale', scale: nirTensor([1, 2, 3, 4], [4], 'int64') },
      thr: { type: 'Threshold', threshold: t32([4]) },
      li: { type: 'LI', tau: nirTensor([0.01, 0.02, 0.03, 0.04], [4], 'float64'), r: filledTensor([4], 1, 'float64'), v_leak: filledTensor([4], 0, 'float64') },
      integ: { type: 'I', r: nirTensor([1, 1, 2, 2], [4], 'int32') },
      cubali: {
        type: 'CubaLI',
        tau_syn: filledTensor([4], 5e-3),
        tau_mem: filledTensor([4], 1e-2),
        r: filledTensor([4], 1),
        v_leak: filledTensor([4], 0),
        w_in: filledTensor([4], 1),
      },
      output: { type: 'Output', shape: [4] },
      seq_in: { type: 'Input', shape: [2, 10] },
      conv1: { type: 'Conv1d', weight: t32([6, 1, 3]), bias: t32([6]), stride: 2, padding: 1, dilation: 1, groups: 2, input_shape: null },
      flat1: { type: 'Flatten', start_dim: 1, end_dim: -1, input_type: null },
      seq_out: { type: 'Output', shape: [6, 5] },
      empty: { type: 'NIRGraph', nodes: {}, edges: [] },
    },
    edges: [
      ['input', 'conv'],
      ['conv', 'if'],
      ['if', 'sum'],
      ['sum', 'avg'],
      ['avg', 'flat'],
      ['flat', 'aff'],
      ['aff', 'lif'],
      ['lif', 'sub.in'],
      ['sub.out', 'delay'],
      ['delay', 'scale'],
      ['scale', 'thr'],
      ['thr', 'li'],
      ['li', 'integ'],
      ['integ', 'cubali'],
      ['cubali', 'output'],
      ['seq_in', 'conv1'],
      ['conv1', 'flat1'],
      ['flat1', 'seq_out'],
    ],
  };
}
