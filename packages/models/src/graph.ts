/**
 * A ModelSpec compiled into a flat, topologically ordered list of nodes (a DAG): each node
 * names the nodes it reads (`inputs`, GRAPH_INPUT for the image), its parameter names, its
 * input and output shapes and, for every layer with weights, what its input carries (the
 * encoded input, the spikes of an activation, or analog values) — energy accounting needs
 * that to turn spike counts into operations. Residual blocks are expanded into their branches
 * and an `add` node (path = the block's path); layer paths (`layers.3`, `layers.8.body.0`)
 * name parameters, so checkpoints keep their names.
 */
import {
  inputShapeOf,
  pair,
  traceShapes,
  type Layer,
  type ModelSpec,
  type Shape,
  type ShapeTrace,
} from '@spikelite/schemas';
import type { ParamInfo } from './params.js';

/** The `inputs` id of the network input. */
export const GRAPH_INPUT = -1;

/**
 * What a value carries, for energy accounting: the encoded input, the spikes of one activation,
 * a mix of several activations' spikes (`weight`: the share each contributes per element — the
 * element fraction in a concatenation, 1 each in a sum), or analog values computed every step.
 */
export type Source =
  | { kind: 'input' }
  | { kind: 'activation'; index: number }
  | { kind: 'mixed'; parts: Array<{ index: number; weight: number }> }
  | { kind: 'analog' };

type L<K extends Layer['kind']> = Extract<Layer, { kind: K }>;

interface Base {
  /** Position in `nodes`. */
  readonly id: number;
  /** Dotted spec path, e.g. `layers.3` or `layers.8.body.0`: the layer's stable name. */
  readonly path: string;
  /** Ids of the nodes this node reads, in order (GRAPH_INPUT = the network input). */
  readonly inputs: readonly number[];
  readonly inputShapes: readonly Shape[];
  /** The first input's shape ([] for a constant). */
  readonly input: Shape;
  readonly output: Shape;
}
export type Node =
  | (Base & { op: 'conv2d'; layer: L<'conv2d'>; kernel: string; bias: string | null; source: Source })
  | (Base & { op: 'linear'; layer: L<'linear'>; kernel: string; bias: string | null; source: Source })
  | (Base & { op: 'avgPool'; layer: L<'avgPool'> })
  | (Base & { op: 'maxPool'; layer: L<'maxPool'> })
  | (Base & { op: 'sumPool'; layer: L<'sumPool'> })
  | (Base & { op: 'globalAvgPool'; layer: L<'globalAvgPool'> })
  | (Base & { op: 'globalMaxPool'; layer: L<'globalMaxPool'> })
  | (Base & { op: 'flatten'; layer: L<'flatten'> })
  | (Base & { op: 'batchNorm'; layer: L<'batchNorm'>; gamma: string; beta: string; mean: string; variance: string })
  | (Base & { op: 'dropout'; rate: number; index: number })
  | (Base & { op: 'activation'; layer: L<'activation'>; index: number; slope: string | null })
  | (Base & { op: 'affine'; layer: L<'affine'>; scale: string | null; bias: string | null })
  /** Element-wise arithmetic; `residual` when it is the merge of a residual block (identity: an empty shortcut). */
  | (Base & { op: 'add' | 'sub' | 'mul' | 'div'; residual: { identity: boolean } | null })
  | (Base & { op: 'matmul' })
  | (Base & { op: 'constant'; layer: L<'constant'>; value: string })
  | (Base & { op: 'concat'; layer: L<'concat'>; axis: number })
  | (Base & { op: 'transpose'; layer: L<'transpose'> })
  | (Base & { op: 'reshape'; layer: L<'reshape'> })
  | (Base & { op: 'slice'; layer: L<'slice'>; axis: number })
  | (Base & { op: 'pad'; layer: L<'pad'> })
  | (Base & { op: 'softmax'; layer: L<'softmax'>; axis: number });

export type NodeOp = Node['op'];
export type NodeOf<O extends NodeOp> = Extract<Node, { op: O }>;

export interface CompiledGraph {
  /** Every node in execution order; the last one is the network's output. */
  readonly nodes: Node[];
  readonly params: ParamInfo[];
  /** Activation nodes in execution order (node.index is the position here). */
  readonly activations: Array<NodeOf<'activation'>>;
  readonly dropouts: Array<NodeOf<'dropout'>>;
  /** Weight layers (conv2d, linear) in execution order. */
  readonly weightLayers: Array<NodeOf<'conv2d' | 'linear'>>;
  /** What each node's output carries (by node id). */
  readonly carries: Source[];
  /** How many nodes read each node's output (by node id; the output node counts one extra). */
  readonly consumers: number[];
}

const channelsOf = (s: Shape): number => s[s.length - 1]!;
/** Elements per image of a shape. */
export const shapeSize = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Ops whose output carries what their inputs carry (data movement and pooling). */
const PASS_THROUGH = new Set<NodeOp>(['avgPool', 'maxPool', 'sumPool', 'globalAvgPool', 'globalMaxPool', 'flatten', 'dropout', 'reshape', 'transpose', 'slice', 'pad']);

function spikeParts(s: Source): Array<{ index: number; weight: number }> | null {
  if (s.kind === 'activation') return [{ index: s.index, weight: 1 }];
  if (s.kind === 'mixed') return s.parts;
  return null;
}

function mixed(parts: Array<{ index: number; weight: number }>): Source {
  const merged = new Map<number, number>();
  for (const p of parts) merged.set(p.index, (merged.get(p.index) ?? 0) + p.weight);
  const list = [...merged].map(([index, weight]) => ({ index, weight }));
  return list.length === 1 && list[0]!.weight === 1 ? { kind: 'activation', index: list[0]!.index } : { kind: 'mixed', parts: list };
}

/** What a node's output carries, from what its inputs carry. */
function carriedBy(node: Node, inputs: Source[]): Source {
  if (node.op === 'activation') return { kind: 'activation', index: node.index };
  if (PASS_THROUGH.has(node.op)) return inputs[0]!;
  // A per-element scale keeps a spike train's events; an added bias makes every element analog.
  if (node.op === 'affine') return node.bias === null ? inputs[0]! : { kind: 'analog' };
  const parts = inputs.map(spikeParts);
  switch (node.op) {
    case 'concat': {
      if (inputs.every((s) => s.kind === 'input')) return { kind: 'input' };
      if (parts.some((p) => p === null)) return { kind: 'analog' };
      const total = shapeSize(node.output);
      return mixed(parts.flatMap((p, i) => p!.map((q) => ({ index: q.index, weight: (q.weight * shapeSize(node.inputShapes[i]!)) / total }))));
    }
    case 'add':
      return parts.every((p) => p !== null) ? mixed(parts.flatMap((p) => p!)) : { kind: 'analog' };
    case 'mul':
    case 'div': {
      // Scaling a spike train by a broadcast factor (a gate, a constant) keeps its events.
      const full = node.inputShapes.map((s) => shapeSize(s) === shapeSize(node.output));
      if (full[0] && !full[1]) return inputs[0]!;
      if (node.op === 'mul' && full[1] && !full[0]) return inputs[1]!;
      return { kind: 'analog' };
    }
    default:
      return { kind: 'analog' };
  }
}

export function compileGraph(spec: ModelSpec): CompiledGraph {
  const traces = traceShapes(spec, spec.name ?? 'model');
  const nodes: Node[] = [];
  const params: ParamInfo[] = [];
  const activations: CompiledGraph['activations'] = [];
  const dropouts: CompiledGraph['dropouts'] = [];
  const weightLayers: CompiledGraph['weightLayers'] = [];
  const carries: Source[] = [];
  const carriesOf = (id: number): Source => (id === GRAPH_INPUT ? { kind: 'input' } : carries[id]!);

  const push = (node: Node): number => {
    nodes.push(node);
    carries.push(carriedBy(node, node.inputs.map(carriesOf)));
    return node.id;
  };

  /** Adds the node(s) of one layer reading `inputs`; returns the id of its output node. */
  const add = (layer: Layer, t: ShapeTrace, inputs: number[]): number => {
    const id = nodes.length;
    const base = { id, path: t.path, inputs, inputShapes: t.inputs, input: t.input, output: t.output };
    const source = (): Source => carriesOf(inputs[0]!);
    switch (layer.kind) {
      case 'conv2d': {
        const [kh, kw] = pair(layer.kernelSize);
        const kernel = `${t.path}.kernel`;
        // HWIO with I = input channels per group ([kh, kw, 1, C·m] for a depthwise conv).
        params.push({ name: kernel, shape: [kh, kw, channelsOf(t.input) / layer.groups, layer.filters], role: 'weight', trainable: true });
        const bias = layer.useBias ? `${t.path}.bias` : null;
        if (bias) params.push({ name: bias, shape: [layer.filters], role: 'bias', trainable: true });
        const node = { ...base, op: 'conv2d' as const, layer, kernel, bias, source: source() };
        weightLayers.push(node);
        return push(node);
      }
      case 'linear': {
        const kernel = `${t.path}.kernel`;
        params.push({ name: kernel, shape: [channelsOf(t.input), layer.units], role: 'weight', trainable: true });
        const bias = layer.useBias ? `${t.path}.bias` : null;
        if (bias) params.push({ name: bias, shape: [layer.units], role: 'bias', trainable: true });
        const node = { ...base, op: 'linear' as const, layer, kernel, bias, source: source() };
        weightLayers.push(node);
        return push(node);
      }
      case 'batchNorm': {
        const c = channelsOf(t.input);
        const names = { gamma: `${t.path}.gamma`, beta: `${t.path}.beta`, mean: `${t.path}.mean`, variance: `${t.path}.variance` };
        params.push(
          { name: names.gamma, shape: [c], role: 'bnGamma', trainable: true },
          { name: names.beta, shape: [c], role: 'bnBeta', trainable: true },
          { name: names.mean, shape: [c], role: 'bnMean', trainable: false },
          { name: names.variance, shape: [c], role: 'bnVar', trainable: false },
        );
        return push({ ...base, op: 'batchNorm', layer, ...names });
      }
      case 'activation': {
        let slope: string | null = null;
        if (layer.fn === 'prelu') {
          slope = `${t.path}.slope`;
          params.push({ name: slope, shape: [...layer.slopeShape!], role: 'slope', trainable: true });
        }
        const node = { ...base, op: 'activation' as const, layer, index: activations.length, slope };
        activations.push(node);
        return push(node);
      }
      case 'affine': {
        const scale = layer.scale ? `${t.path}.scale` : null;
        const bias = layer.bias ? `${t.path}.bias` : null;
        if (scale) params.push({ name: scale, shape: [...layer.shape], role: 'scale', trainable: true });
        if (bias) params.push({ name: bias, shape: [...layer.shape], role: 'bias', trainable: true });
        return push({ ...base, op: 'affine', layer, scale, bias });
      }
      case 'dropout': {
        const node = { ...base, op: 'dropout' as const, rate: layer.rate, index: dropouts.length };
        dropouts.push(node);
        return push(node);
      }
      case 'constant': {
        const value = `${t.path}.value`;
        params.push({ name: value, shape: [...layer.shape], role: 'constant', trainable: layer.trainable });
        return push({ ...base, op: 'constant', layer, value });
      }
      case 'add':
      case 'sub':
      case 'mul':
      case 'div':
        return push({ ...base, op: layer.kind, residual: null });
      case 'matmul':
        return push({ ...base, op: 'matmul' });
      case 'concat':
        return push({ ...base, op: 'concat', layer, axis: norm(layer.axis, t.input.length) });
      case 'slice':
        return push({ ...base, op: 'slice', layer, axis: norm(layer.axis, t.input.length) });
      case 'softmax':
        return push({ ...base, op: 'softmax', layer, axis: norm(layer.axis, t.input.length) });
      case 'residual': {
        const body = chain(layer.body, t.body ?? [], inputs[0]!);
        const shortcut = chain(layer.shortcut, t.shortcut ?? [], inputs[0]!);
        const inputShapes = [nodeShape(body), nodeShape(shortcut)];
        return push({
          id: nodes.length, path: t.path, inputs: [body, shortcut], inputShapes, input: inputShapes[0]!, output: t.output,
          op: 'add', residual: { identity: layer.shortcut.length === 0 },
        });
      }
      default:
        return push({ ...base, op: layer.kind, layer } as Node);
    }
  };
  const inputShape = inputShapeOf(spec.input);
  const nodeShape = (id: number): Shape => (id === GRAPH_INPUT ? inputShape : nodes[id]!.output);
  /** A residual branch: a chain of layers from `from`; returns its last node id (`from` when empty). */
  const chain = (layers: readonly Layer[], tr: readonly ShapeTrace[], from: number): number => {
    let at = from;
    layers.forEach((layer, i) => (at = add(layer, tr[i]!, [at])));
    return at;
  };

  const outputs: number[] = [];
  spec.layers.forEach((layer, i) => {
    const t = traces[i]!;
    outputs.push(add(layer, t, t.sources!.map((s) => (s < 0 ? GRAPH_INPUT : outputs[s]!))));
  });
  const consumers = nodes.map(() => 0);
  for (const n of nodes) for (const i of n.inputs) if (i !== GRAPH_INPUT) consumers[i]!++;
  if (nodes.length > 0) consumers[nodes.length - 1]!++;
  return { nodes, params, activations, dropouts, weightLayers, carries, consumers };
}
