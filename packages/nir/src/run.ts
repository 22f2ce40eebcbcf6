/**
 * A tiny reference executor for NIR graphs, for conformance tests and small networks:
 * batch 1, one row of input values per step, nodes in topological order, several incoming
 * edges summed. It runs the element-wise and dense primitives (Affine, Linear, Scale,
 * Threshold, Delay, Flatten) and the six neurons through @spikelite/neurons. Convolutions,
 * pooling, subgraphs and recurrent edges are left to the NIR → ModelSpec mapping and fail
 * here with an error naming the node.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createNeuronLayer, type NeuronState, type StepNeuronLayer } from '@spikelite/neurons';
import { NIR_CONVENTION_DEFAULT_DT, type NirConvention } from '@spikelite/schemas';
import { NirError } from './errors.js';
import type { NirGraph, NirNode, NirNodeType } from './graph.js';
import { isNirNeuron, nirNeuronSpec } from './neurons.js';
import { sizeOf, type NirTensor } from './tensor.js';

export interface RunNirOptions {
  /** Seconds per step (neurons and Delay need it; the 'snntorch' convention implies 1e-4). */
  readonly dt?: number;
  readonly convention?: NirConvention;
  /** Also return every neuron node's membrane after each step (after the reset). */
  readonly recordVoltages?: boolean;
  /** Name used in errors; default 'NIR graph'. */
  readonly source?: string;
}

export interface RunNirResult {
  /** Output node → one row of values per step. */
  readonly outputs: Record<string, number[][]>;
  /** Neuron node → its membrane per step (only with recordVoltages). */
  readonly voltages: Record<string, number[][]>;
}

interface Runner {
  step(x: tf.Tensor, t: number): tf.Tensor;
  voltage?(): tf.Tensor;
  dispose(): void;
}

interface Ctx {
  readonly name: string;
  readonly dt: number | undefined;
  readonly convention: NirConvention;
  fail(message: string): never;
}

const features = (t: NirTensor) => tf.tensor(Array.from(t.data), [1, ...t.shape]);

/** Element-wise nodes take inputs of their parameter's shape (a size-1 parameter broadcasts). */
function sameShape(x: tf.Tensor, param: tf.Tensor, field: string, ctx: Ctx): tf.Tensor {
  const a = x.shape.slice(1).join(', ');
  const b = param.shape.slice(1).join(', ');
  if (a !== b && param.size !== 1) ctx.fail(`its input has shape [${a}] but ${field} has shape [${b}]`);
  return x;
}

/** Affine/Linear: y = W·x (+ b) over the flattened input; W is (out, in). */
function dense(weight: NirTensor, bias: NirTensor | null, ctx: Ctx): Runner {
  if (weight.shape.length !== 2) ctx.fail(`a weight of shape [${weight.shape.join(', ')}] (only 2-D weights run here)`);
  const [out, inn] = weight.shape as [number, number];
  const w = tf.tensor2d(Array.from(weight.data), [out, inn]);
  const b = bias === null ? null : tf.tensor2d(Array.from(bias.data), [1, out]);
  return {
    step: (x) => {
      if (x.size !== inn) ctx.fail(`expects ${inn} inputs, got ${x.size}`);
      const y = tf.matMul(tf.reshape(x, [1, inn]), w, false, true);
      return b === null ? y : tf.add(y, b);
    },
    dispose: () => {
      w.dispose();
      b?.dispose();
    },
  };
}

/** NIR type → how it runs here (a registry; what is missing fails with the node named). */
const RUNNERS: Partial<Record<NirNodeType, (node: never, ctx: Ctx) => Runner>> = {
  Output: () => ({ step: (x) => x, dispose: () => {} }),
  Affine: (n: Extract<NirNode, { type: 'Affine' }>, ctx) => dense(n.weight, n.bias, ctx),
  Linear: (n: Extract<NirNode, { type: 'Linear' }>, ctx) => dense(n.weight, null, ctx),
  Scale: (n: Extract<NirNode, { type: 'Scale' }>, ctx) => {
    const s = features(n.scale);
    return { step: (x) => tf.mul(sameShape(x, s, 'scale', ctx), s), dispose: () => s.dispose() };
  },
  Threshold: (n: Extract<NirNode, { type: 'Threshold' }>, ctx) => {
    const th = features(n.threshold);
    return { step: (x) => tf.cast(tf.greater(sameShape(x, th, 'threshold', ctx), th), 'float32'), dispose: () => th.dispose() };
  },
  Flatten: (n: Extract<NirNode, { type: 'Flatten' }>, ctx) => ({
    // Dims start_dim..end_dim of the input (batch excluded, negative from the end) become one.
    step: (x) => {
      const shape = x.shape.slice(1);
      const start = n.start_dim < 0 ? n.start_dim + shape.length : n.start_dim;
      const end = n.end_dim < 0 ? n.end_dim + shape.length : n.end_dim;
      if (start < 0 || end >= shape.length || end < start) ctx.fail(`dims ${n.start_dim}..${n.end_dim} are outside its input [${shape.join(', ')}]`);
      const merged = shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
      return tf.reshape(x, [1, ...shape.slice(0, start), merged, ...shape.slice(end + 1)]);
    },
    dispose: () => {},
  }),
  Delay: (n: Extract<NirNode, { type: 'Delay' }>, ctx) => {
    // y(t) = x(t − d): d in seconds, rounded to whole steps.
    if (ctx.dt === undefined) ctx.fail('a Delay needs dt');
    const steps = Array.from(n.delay.data, (d) => Math.round(d / ctx.dt!));
    const maxSteps = Math.max(0, ...steps);
    const masks = Array.from({ length: maxSteps + 1 }, (_, k) => tf.tensor(steps.map((s) => (s === k ? 1 : 0)), [1, ...n.delay.shape]));
    let history: tf.Tensor[] = [];
    return {
      step: (x) => {
        const xs = tf.keep(tf.reshape(x, masks[0]!.shape));
        history = [xs, ...history];
        for (const old of history.splice(maxSteps + 1)) old.dispose();
        return history.map((h, k) => tf.mul(h, masks[k]!)).reduce((a, b) => tf.add(a, b));
      },
      dispose: () => {
        for (const t of [...masks, ...history]) t.dispose();
      },
    };
  },
};

function neuronRunner(node: NirNode, ctx: Ctx): Runner {
  if (!isNirNeuron(node)) ctx.fail('not a neuron');
  const layer = createNeuronLayer(nirNeuronSpec(node, { ...(ctx.dt === undefined ? {} : { dt: ctx.dt }), convention: ctx.convention }), {
    name: ctx.name,
    channels: 1,
    timesteps: 1,
  }) as StepNeuronLayer;
  let state: NeuronState | undefined;
  return {
    step: (x, t) => {
      state ??= Object.fromEntries(Object.entries(layer.initState(x.shape)).map(([k, v]) => [k, tf.keep(v)]));
      const r = layer.step(x, state, t);
      for (const [k, v] of Object.entries(state)) if (r.state[k] !== v) v.dispose();
      state = Object.fromEntries(Object.entries(r.state).map(([k, v]) => [k, tf.keep(v)]));
      return r.spikes;
    },
    voltage: () => state!['u']!,
    dispose: () => {
      for (const v of Object.values(state ?? {})) v.dispose();
      layer.dispose();
    },
  };
}

/** Node names in an order where every node comes after the nodes feeding it. */
function topologicalOrder(graph: NirGraph, source: string): string[] {
  const names = Object.keys(graph.nodes);
  const indegree = new Map(names.map((n) => [n, 0]));
  for (const [, to] of graph.edges) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  const ready = names.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const [from, to] of graph.edges) {
      if (from !== n) continue;
      indegree.set(to, indegree.get(to)! - 1);
      if (indegree.get(to) === 0) ready.push(to);
    }
  }
  const stuck = names.find((n) => !order.includes(n));
  if (stuck !== undefined) throw new NirError(source, 'is on a cycle: recurrent graphs do not run in this executor', { node: stuck, type: graph.nodes[stuck]!.type });
  return order;
}

type Rows = readonly (readonly number[])[];

/** The rows of each Input node, checked against its shape (a bare list feeds the only Input). */
function inputsByName(graph: NirGraph, names: string[], inputs: Record<string, Rows> | Rows, source: string): Record<string, Rows> {
  let byName: Record<string, Rows>;
  if (Array.isArray(inputs)) {
    if (names.length !== 1) throw new NirError(source, `the graph has ${names.length} Input nodes; pass the inputs by node name`);
    byName = { [names[0]!]: inputs as Rows };
  } else byName = inputs as Record<string, Rows>;
  for (const n of names) {
    const rows = byName[n];
    if (rows === undefined) throw new NirError(source, 'no input rows given for this Input node', { node: n, type: 'Input' });
    const size = sizeOf((graph.nodes[n] as { shape: number[] }).shape);
    const bad = rows.findIndex((r) => r.length !== size);
    if (bad >= 0) throw new NirError(source, `input row ${bad} has ${rows[bad]!.length} values, the node's shape holds ${size}`, { node: n, type: 'Input' });
  }
  return byName;
}

export function runNir(graph: NirGraph, inputs: Record<string, Rows> | Rows, options: RunNirOptions = {}): RunNirResult {
  const source = options.source ?? 'NIR graph';
  const convention = options.convention ?? 'nir';
  const dt = options.dt ?? NIR_CONVENTION_DEFAULT_DT[convention] ?? undefined;
  for (const [from, to] of graph.edges) {
    for (const end of [from, to]) {
      if (!(end in graph.nodes)) throw new NirError(source, `edge into a subgraph ('${end}'): subgraphs do not run in this executor`, { node: end.split('.')[0]! });
    }
  }
  const inputNames = Object.keys(graph.nodes).filter((n) => graph.nodes[n]!.type === 'Input');
  const byInput = inputsByName(graph, inputNames, inputs, source);
  const steps = Math.min(...inputNames.map((n) => byInput[n]!.length));

  const order = topologicalOrder(graph, source);
  const runners = new Map<string, Runner>();
  const outputs: Record<string, number[][]> = {};
  const voltages: Record<string, number[][]> = {};
  try {
    for (const name of order) {
      const node = graph.nodes[name]!;
      const ctx: Ctx = {
        name,
        dt,
        convention,
        fail: (message) => {
          throw new NirError(source, message, { node: name, type: node.type });
        },
      };
      if (node.type === 'Input') continue;
      const make = RUNNERS[node.type];
      if (isNirNeuron(node)) runners.set(name, neuronRunner(node, ctx));
      else if (make !== undefined) runners.set(name, make(node as never, ctx));
      else ctx.fail(`${node.type} does not run in this executor (it is read and written; running it is the NIR → ModelSpec mapping's job)`);
      if (node.type === 'Output') outputs[name] = [];
      if (options.recordVoltages && isNirNeuron(node)) voltages[name] = [];
    }
    for (let t = 0; t < steps; t++) {
      tf.tidy(() => {
        const values = new Map<string, tf.Tensor>();
        for (const name of order) {
          const node = graph.nodes[name]!;
          if (node.type === 'Input') {
            values.set(name, tf.tensor([...byInput[name]![t]!], [1, ...node.shape]));
            continue;
          }
          const incoming = graph.edges.filter(([, to]) => to === name).map(([from]) => values.get(from)!);
          if (incoming.length === 0) throw new NirError(source, 'has no incoming edge', { node: name, type: node.type });
          const x = incoming.reduce((a, b) => tf.add(a, b));
          const y = runners.get(name)!.step(x, t);
          values.set(name, y);
          if (node.type === 'Output') outputs[name]!.push(Array.from(y.dataSync()));
          if (voltages[name] !== undefined) voltages[name].push(Array.from(runners.get(name)!.voltage!().dataSync()));
        }
      });
    }
  } finally {
    for (const r of runners.values()) r.dispose();
  }
  return { outputs, voltages };
}
