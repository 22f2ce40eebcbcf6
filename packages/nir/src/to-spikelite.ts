/**
 * NIR graph → spikelite SNN: a ModelSpec (a DAG whose layers take named `inputs`), its
 * weights in spikelite's layouts, and the neuron of every activation layer. Nested subgraphs
 * are inlined (flatten.ts); several edges into one node are summed with `add` layers (NIR
 * sums them); a node feeding several others is simply named by each.
 *
 * Layouts: a NIR (C, H, W) value is an NHWC image [H, W, C] here (Conv2d weights OIHW → HWIO,
 * per-neuron parameters (C, H, W) → (H, W, C)); every other rank keeps NIR's order. A Flatten
 * of a whole image flattens in NIR's (C, H, W) order (`flatten` with order 'chw'), so the
 * Affine after it keeps its weights as they are.
 *
 * One primitive → layers, by registry (IMPORTERS): Affine/Linear → linear (weight (out, in) →
 * kernel [in, out]); Conv2d → conv2d; SumPool2d → sumPool; AvgPool2d → avgPool (padded zeros
 * count, PyTorch's default); Flatten → flatten / reshape; Scale → affine (scale only); IF,
 * LIF, LI, I, CubaLIF, CubaLI, Threshold → activation layers ('relu' for spiking kinds,
 * 'identity' for the others, their ANN view) whose neurons are the `nir*` kinds. Conv1d,
 * Delay and recurrent edges (cycles) are refused with the node named.
 *
 * The network's output is what flows into the NIR Output at each step (`onOutput` of
 * SnnModel.forward): the spikes of a spiking neuron, the membrane of LI/I/CubaLI, or an
 * Affine's current; SnnModel's logits U(T) sum it over the steps.
 */
import {
  INPUT_REF,
  ModelSpec,
  NIR_CONVENTION_DEFAULT_DT,
  SpikeliteConfigError,
  parseWith,
  type LayerInput,
  type NeuronSpecInput,
  type NirConvention,
} from '@spikelite/schemas';
import { NirError } from './errors.js';
import { flattenGraph, type FlatNode } from './flatten.js';
import type { NirGraph } from './graph.js';
import { oihwToHwio, spikeliteShape, toSpikeliteOrder, transpose2d } from './layout.js';
import { isNirNeuron, isSpikingNirNeuron, neuronShape, nirNeuronSpec } from './neurons.js';
import { sizeOf, type NirTensor } from './tensor.js';

export interface NirToSpikeliteOptions {
  /** Seconds per step; the neurons need it unless the convention implies one ('snntorch': 1e-4). */
  readonly dt?: number;
  /** Whose reading of (τ, r, dt) the neurons follow (see @spikelite/neurons, nir/conventions.ts); default 'nir'. */
  readonly convention?: NirConvention;
  /** Name used in errors (a file name); default 'NIR graph'. */
  readonly source?: string;
}

/** What the NIR Output carries at each step. */
export type NirReadout = 'spikes' | 'membrane' | 'analog';

export interface NirImport {
  /** The parsed ModelSpec; layer names are the NIR node paths ('sub/lif'). */
  readonly spec: ModelSpec;
  /** Parameter name (`layers.<i>.kernel`, `.bias`, `.scale`) → values, in spikelite's layouts. */
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** Activation layer name (the NIR node path) → its neuron. */
  readonly neurons: ReadonlyMap<string, NeuronSpecInput>;
  /** The graph's Input: its node and its NIR shape ((C, H, W) for images). */
  readonly input: { readonly node: string; readonly shape: readonly number[] };
  /** The graph's Output: its node, the NIR shape of what flows into it, and what that is. */
  readonly output: { readonly node: string; readonly shape: readonly number[]; readonly readout: NirReadout };
  /** Every NIR node that runs, in run order, with the spikelite layers it became. */
  readonly nodes: readonly { readonly node: string; readonly type: string; readonly layers: readonly string[] }[];
  readonly dt: number | null;
  readonly convention: NirConvention;
}

/** A value on the data path: the layer that makes it ('input' for the graph input) and its NIR shape. */
interface Val {
  readonly ref: string;
  /** NIR order; rank 3 = an image, held as [H, W, C]. */
  readonly shape: readonly number[];
}

interface Ctx {
  readonly path: string;
  readonly dt: number | null;
  readonly convention: NirConvention;
  fail(message: string, field?: string): never;
  /** Adds a layer (named after the node, plus `suffix` for helper layers) reading `inputs`. */
  emit(layer: LayerInput, inputs: readonly Val[], shape: readonly number[], params?: Record<string, Float32Array>, suffix?: string): Val;
  neuron(layer: string, spec: NeuronSpecInput): void;
}

const fmt = (s: readonly number[]): string => `(${s.join(', ')})`;
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const f32 = (t: NirTensor): Float32Array => Float32Array.from(t.data);

type Of<T extends FlatNode['type']> = Extract<FlatNode, { type: T }>;
type Importer<T extends FlatNode['type']> = (node: Of<T>, x: Val, ctx: Ctx) => Val;

function needImage(x: Val, ctx: Ctx): [number, number, number] {
  if (x.shape.length !== 3) ctx.fail(`expects a (C, H, W) input, got ${fmt(x.shape)}`);
  return x.shape as [number, number, number];
}

/** Affine/Linear: y = W·x (+ b) on the last axis; W is (out, in). */
function dense(weight: NirTensor, bias: NirTensor | null, x: Val, ctx: Ctx): Val {
  if (weight.shape.length !== 2) ctx.fail(`a weight of shape ${fmt(weight.shape)}: only 2-D (out, in) weights map to a linear layer`, 'weight');
  const [out, inn] = weight.shape as [number, number];
  if (x.shape.length === 3) ctx.fail(`its input is an image ${fmt(x.shape)}; NIR applies the weight to the last axis (W), spikelite's linear layer to the channels: put a Flatten before it`);
  const last = x.shape[x.shape.length - 1];
  if (last !== inn) ctx.fail(`the weight (out, in) = ${fmt(weight.shape)} takes ${inn} inputs, its input has shape ${fmt(x.shape)}`, 'weight');
  const params: Record<string, Float32Array> = { kernel: transpose2d(weight.data, out, inn) };
  if (bias !== null) params['bias'] = sizeOf(bias.shape) === 1 ? new Float32Array(out).fill(bias.data[0]!) : f32(bias);
  return ctx.emit({ kind: 'linear', units: out, useBias: bias !== null }, [x], [...x.shape.slice(0, -1), out], params);
}

/** Output size of a window along one axis (PyTorch: floor((n + 2p − d(k − 1) − 1)/s) + 1). */
function windowOut(n: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

const symmetric = (ph: number, pw: number) => (ph === 0 && pw === 0 ? ('valid' as const) : { top: ph, bottom: ph, left: pw, right: pw });

function pool(kind: 'sumPool' | 'avgPool', node: Of<'SumPool2d'> | Of<'AvgPool2d'>, x: Val, ctx: Ctx): Val {
  const [c, h, w] = needImage(x, ctx);
  const [kh, kw] = node.kernel_size;
  const [sh, sw] = node.stride;
  const [ph, pw] = node.padding;
  if (ph >= kh || pw >= kw) ctx.fail(`padding ${fmt(node.padding)} must be smaller than the ${kh}×${kw} window`, 'padding');
  const [oh, ow] = [windowOut(h, kh, sh, ph, 1), windowOut(w, kw, sw, pw, 1)];
  if (oh < 1 || ow < 1) ctx.fail(`the ${kh}×${kw} window is larger than its padded input ${fmt(x.shape)}`, 'kernel_size');
  const padding = symmetric(ph, pw);
  // PyTorch's AvgPool2d counts the padded zeros (count_include_pad); a sum pool adds them.
  const layer: LayerInput = kind === 'sumPool'
    ? { kind, poolSize: [kh, kw], strides: [sh, sw], padding }
    : { kind, poolSize: [kh, kw], strides: [sh, sw], padding, countIncludePad: padding !== 'valid' };
  return ctx.emit(layer, [x], [c, oh, ow]);
}

function neuron(node: Extract<FlatNode, { type: 'LIF' | 'IF' | 'LI' | 'I' | 'CubaLIF' | 'CubaLI' | 'Threshold' }>, x: Val, ctx: Ctx): Val {
  const shape = neuronShape(node);
  const image = x.shape.length === 3;
  if (sizeOf(shape) !== 1 && !(image ? same(shape, x.shape) : sizeOf(shape) === sizeOf(x.shape))) {
    ctx.fail(`its parameters have the neuron shape ${fmt(shape)}, its input has shape ${fmt(x.shape)}`);
  }
  if (node.type !== 'Threshold' && ctx.dt === null) {
    ctx.fail(`needs dt (seconds per step): NIR files do not store it; pass dt, or the convention 'snntorch' (which implies 1e-4)`);
  }
  const spec = nirNeuronSpec(node, { ...(ctx.dt === null ? {} : { dt: ctx.dt }), convention: ctx.convention, layout: image ? 'channelsLast' : 'nir' });
  const out = ctx.emit({ kind: 'activation', fn: isSpikingNirNeuron(node) ? 'relu' : 'identity' }, [x], x.shape);
  ctx.neuron(out.ref, spec);
  return out;
}

/** NIR type → the layers it becomes (a registry: the walker knows no primitive by name). */
const IMPORTERS: { readonly [T in FlatNode['type']]?: Importer<T> } = {
  Identity: (_n, x) => x,
  Affine: (n, x, ctx) => dense(n.weight, n.bias, x, ctx),
  Linear: (n, x, ctx) => dense(n.weight, null, x, ctx),
  Scale: (n, x, ctx) => {
    const one = sizeOf(n.scale.shape) === 1;
    if (!one && !same(n.scale.shape, x.shape)) ctx.fail(`shape ${fmt(n.scale.shape)} does not match its input ${fmt(x.shape)} (nor is it one value)`, 'scale');
    const values = one ? Float32Array.of(n.scale.data[0]!) : toSpikeliteOrder(n.scale.data, x.shape);
    return ctx.emit({ kind: 'affine', shape: one ? [1] : spikeliteShape(x.shape), scale: true, bias: false }, [x], x.shape, { scale: values });
  },
  Conv2d: (n, x, ctx) => {
    const [c, h, w] = needImage(x, ctx);
    const [o, ig, kh, kw] = n.weight.shape as [number, number, number, number];
    if (ig * n.groups !== c) ctx.fail(`the weight (C_out, C_in/groups, kH, kW) = ${fmt(n.weight.shape)} with ${n.groups} group(s) takes ${ig * n.groups} channels, its input has ${c}`, 'weight');
    if (n.input_shape !== null && (n.input_shape[0] !== h || n.input_shape[1] !== w)) ctx.fail(`${fmt(n.input_shape)} but its input is ${h}×${w}`, 'input_shape');
    const [sh, sw] = n.stride;
    const [dh, dw] = n.dilation;
    let pads: [number, number, number, number];
    if (n.padding === 'same') {
      // PyTorch 'same' (stride 1): d·(k − 1) in all, the odd one at the end.
      if (sh !== 1 || sw !== 1) ctx.fail(`'same' with stride ${fmt(n.stride)}: PyTorch defines 'same' for stride 1 only`, 'padding');
      const [th, tw] = [dh * (kh - 1), dw * (kw - 1)];
      pads = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
    } else {
      const [ph, pw] = n.padding === 'valid' ? [0, 0] : n.padding;
      pads = [ph, ph, pw, pw];
    }
    const oh = Math.floor((h + pads[0] + pads[1] - dh * (kh - 1) - 1) / sh) + 1;
    const ow = Math.floor((w + pads[2] + pads[3] - dw * (kw - 1) - 1) / sw) + 1;
    if (oh < 1 || ow < 1) ctx.fail(`the ${kh}×${kw} kernel is larger than its padded input ${fmt(x.shape)}`, 'weight');
    const padding = pads.every((p) => p === 0) ? ('valid' as const) : { top: pads[0], bottom: pads[1], left: pads[2], right: pads[3] };
    const params = { kernel: oihwToHwio(n.weight.data, [o, ig, kh, kw]), bias: f32(n.bias) };
    const conv = (strides: [number, number], shape: number[]): Val =>
      ctx.emit({ kind: 'conv2d', filters: o, kernelSize: [kh, kw], strides, padding, dilations: [dh, dw], groups: n.groups, useBias: true }, [x], shape, params);
    if ((sh === 1 && sw === 1) || (dh === 1 && dw === 1)) return conv([sh, sw], [o, oh, ow]);
    // tfjs convolves with a stride or a dilation, not both: stride 1, then keep every s-th row and column.
    let y = conv([1, 1], [o, h + pads[0] + pads[1] - dh * (kh - 1), w + pads[2] + pads[3] - dw * (kw - 1)]);
    if (sh > 1) y = ctx.emit({ kind: 'slice', axis: 0, start: 0, end: y.shape[1]!, step: sh }, [y], [o, oh, y.shape[2]!], {}, '#rows');
    if (sw > 1) y = ctx.emit({ kind: 'slice', axis: 1, start: 0, end: y.shape[2]!, step: sw }, [y], [o, oh, ow], {}, '#cols');
    return y;
  },
  SumPool2d: (n, x, ctx) => pool('sumPool', n, x, ctx),
  AvgPool2d: (n, x, ctx) => pool('avgPool', n, x, ctx),
  Flatten: (n, x, ctx) => {
    const rank = x.shape.length;
    if (n.input_type !== null && !same(n.input_type, x.shape)) ctx.fail(`${fmt(n.input_type)} but its input has shape ${fmt(x.shape)}`, 'input_type');
    const s = n.start_dim < 0 ? n.start_dim + rank : n.start_dim;
    const e = n.end_dim < 0 ? n.end_dim + rank : n.end_dim;
    if (s < 0 || e >= rank || e < s) ctx.fail(`dims ${n.start_dim}..${n.end_dim} are outside its input ${fmt(x.shape)}`, 'start_dim');
    if (s === e) return x;
    const merged = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
    if (rank !== 3) return ctx.emit({ kind: 'reshape', shape: merged }, [x], merged);
    if (s === 0 && e === 2) return ctx.emit({ kind: 'flatten', order: 'chw' }, [x], merged);
    // Part of an image: back to (C, H, W) order, then merge.
    const chw = ctx.emit({ kind: 'transpose', perm: [2, 0, 1] }, [x], x.shape, {}, '#chw');
    return ctx.emit({ kind: 'reshape', shape: merged }, [chw], merged);
  },
  Conv1d: (_n, _x, ctx) => ctx.fail('Conv1d does not map to a spikelite layer (spikelite convolutions are 2-D)'),
  Delay: (_n, _x, ctx) => ctx.fail('Delay does not map to a spikelite layer (spikelite layers have no axonal delays)'),
  LIF: neuron,
  IF: neuron,
  LI: neuron,
  I: neuron,
  CubaLIF: neuron,
  CubaLI: neuron,
  Threshold: neuron,
};

/** Node paths in run order: Kahn's algorithm over the nodes that feed the Output. */
function runOrder(nodes: ReadonlyMap<string, FlatNode>, into: ReadonlyMap<string, string[]>, outOf: ReadonlyMap<string, string[]>, input: string, output: string, source: string): string[] {
  const needed = new Set<string>([output]);
  const stack = [output];
  while (stack.length > 0) for (const from of into.get(stack.pop()!) ?? []) {
      if (needed.has(from)) continue;
      needed.add(from);
      stack.push(from);
    }
  const fail = (path: string, message: string): never => {
    throw new NirError(source, message, { node: path, type: nodes.get(path)!.type });
  };
  if (!needed.has(input)) fail(output, 'is not reached from the Input');
  for (const path of nodes.keys()) {
    if (path === input || path === output) continue;
    if (!needed.has(path)) fail(path, (outOf.get(path) ?? []).length + (into.get(path) ?? []).length === 0 ? 'is not connected to the graph' : 'does not lead to the Output');
    if ((into.get(path) ?? []).length === 0) fail(path, 'has no incoming edge (only the Input feeds the graph)');
  }
  const waiting = new Map([...needed].map((p) => [p, (into.get(p) ?? []).length]));
  const ready = [input];
  const order: string[] = [];
  while (ready.length > 0) {
    const p = ready.shift()!;
    order.push(p);
    for (const to of outOf.get(p) ?? []) {
      const left = waiting.get(to)! - 1;
      waiting.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  const done = new Set(order);
  const stuck = [...nodes.keys()].filter((p) => needed.has(p) && !done.has(p));
  // Name the first node (in file order) that reaches itself: one on the cycle, not one after it.
  const reachesItself = (start: string): boolean => {
    const seen = new Set<string>();
    const todo = [...(outOf.get(start) ?? [])];
    while (todo.length > 0) {
      const p = todo.pop()!;
      if (p === start) return true;
      if (seen.has(p) || done.has(p)) continue;
      seen.add(p);
      todo.push(...(outOf.get(p) ?? []));
    }
    return false;
  };
  const onCycle = stuck.find(reachesItself) ?? stuck[0];
  if (onCycle !== undefined) fail(onCycle, 'is on a cycle (a recurrent edge): the NIR → spikelite mapping runs feed-forward graphs only');
  return order;
}

export function nirToSpikelite(graph: NirGraph, options: NirToSpikeliteOptions = {}): NirImport {
  const source = options.source ?? 'NIR graph';
  const convention = options.convention ?? 'nir';
  const dt = options.dt ?? NIR_CONVENTION_DEFAULT_DT[convention] ?? null;
  const flat = flattenGraph(graph, source);
  const ports = (type: 'Input' | 'Output'): string => {
    const found = [...flat.nodes].filter(([, n]) => n.type === type).map(([p]) => p);
    if (found.length !== 1) {
      throw new NirError(source, `the graph has ${found.length} ${type} nodes${found.length ? ` (${found.join(', ')})` : ''}; the NIR → spikelite mapping takes exactly one`);
    }
    return found[0]!;
  };
  const inputNode = ports('Input');
  const outputNode = ports('Output');
  const into = new Map<string, string[]>();
  const outOf = new Map<string, string[]>();
  for (const [from, to] of flat.edges) {
    into.set(to, [...(into.get(to) ?? []), from]);
    outOf.set(from, [...(outOf.get(from) ?? []), to]);
  }
  if ((into.get(inputNode) ?? []).length > 0) throw new NirError(source, 'has incoming edges (a recurrent edge into the Input)', { node: inputNode, type: 'Input' });
  const order = runOrder(flat.nodes, into, outOf, inputNode, outputNode, source);

  const layers: LayerInput[] = [];
  const layerNode: string[] = [];
  const weights = new Map<string, Float32Array>();
  const neurons = new Map<string, NeuronSpecInput>();
  const made: { node: string; type: string; layers: string[] }[] = [];
  const values = new Map<string, Val>();
  const inputShape = (flat.nodes.get(inputNode) as Of<'Input'>).shape;
  if (inputShape.length === 0 || inputShape.some((d) => d < 1)) throw new NirError(source, `shape ${fmt(inputShape)} is not a shape of data`, { node: inputNode, type: 'Input', field: 'shape' });
  values.set(inputNode, { ref: INPUT_REF, shape: inputShape });
  let outputValue: Val | null = null;

  for (const path of order.slice(1)) {
    const node = flat.nodes.get(path)!;
    const entry = { node: path, type: node.type === 'Identity' ? node.of : node.type, layers: [] as string[] };
    const fail = (message: string, field?: string): never => {
      throw new NirError(source, message, { node: path, type: entry.type, field: field ?? null });
    };
    const ctx: Ctx = {
      path,
      dt,
      convention,
      fail,
      emit: (layer, inputs, shape, params = {}, suffix = '') => {
        const name = `${path === INPUT_REF ? `${path}#node` : path}${suffix}`;
        const index = layers.length;
        layers.push({ ...layer, name, inputs: inputs.map((v) => v.ref) } as LayerInput);
        layerNode.push(path);
        for (const [k, v] of Object.entries(params)) weights.set(`layers.${index}.${k}`, v);
        entry.layers.push(name);
        return { ref: name, shape };
      },
      neuron: (layer, spec) => neurons.set(layer, spec),
    };
    // NIR sums the edges into a node.
    const ins = into.get(path)!.map((from) => values.get(from)!);
    let x = ins[0]!;
    ins.slice(1).forEach((v, k) => {
      if (!same(v.shape, x.shape)) fail(`its incoming edges carry shapes ${fmt(x.shape)} and ${fmt(v.shape)}, which NIR cannot sum`);
      x = ctx.emit({ kind: 'add' }, [x, v], x.shape, {}, `#sum${k + 1}`);
    });
    if (node.type === 'Output') {
      if (sizeOf(node.shape) !== sizeOf(x.shape)) fail(`shape ${fmt(node.shape)} but ${fmt(x.shape)} flows into it`, 'shape');
      if (x.ref === INPUT_REF) fail('is fed by the Input directly: the graph computes nothing');
      outputValue = x;
    } else {
      const importer = IMPORTERS[node.type] as Importer<FlatNode['type']> | undefined;
      if (importer === undefined) fail(`${node.type} does not map to a spikelite layer`);
      values.set(path, importer!(node, x, ctx));
    }
    if (entry.layers.length > 0 || node.type !== 'Identity') made.push(entry);
  }

  const out = outputValue as Val | null;
  if (out === null) throw new NirError(source, 'no value reaches the Output', { node: outputNode, type: 'Output' });
  const input = inputShape.length === 3 ? { channels: inputShape[0]!, height: inputShape[1]!, width: inputShape[2]! } : { shape: [...inputShape] };
  let spec: ModelSpec;
  try {
    spec = parseWith(ModelSpec, { name: source, input, layers }, source);
  } catch (e) {
    // A shape problem the importers did not catch: name the NIR node of the layer.
    const issue = e instanceof SpikeliteConfigError ? e.issues[0] : undefined;
    const at = issue ? /^layers\.(\d+)/.exec(issue.path) : null;
    if (at !== null && issue !== undefined) {
      const path = layerNode[Number(at[1])]!;
      throw new NirError(source, issue.message, { node: path, type: flat.nodes.get(path)!.type });
    }
    throw e;
  }
  const feeders = into.get(outputNode)!.map((p) => flat.nodes.get(p)!);
  const readout: NirReadout = feeders.every((n) => isNirNeuron(n) && isSpikingNirNeuron(n))
    ? 'spikes'
    : feeders.every((n) => isNirNeuron(n) && !isSpikingNirNeuron(n))
      ? 'membrane'
      : 'analog';
  return {
    spec,
    weights,
    neurons,
    input: { node: inputNode, shape: [...inputShape] },
    output: { node: outputNode, shape: [...out.shape], readout },
    nodes: made,
    dt,
    convention,
  };
}
