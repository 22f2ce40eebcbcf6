/**
 * spikelite SNN → NIR graph. Every node of the compiled network becomes a NIR node (or,
 * for `add`, several edges into the next node: NIR sums them), every neuron layer a NIR
 * neuron, and SnnModel's readout — U(t) = U(t−1) + out(t) — an `I` node with unit gain in
 * front of the Output: the Output carries U(t) at every step, so U(T) is the logits.
 *
 * Time: spikelite neurons are discrete, u ← λ·u + I. They are written for a step `dt`
 * (default 1 ms; 0.1 ms with the 'snntorch' convention) by `discreteToNir`: λ < 1 → LIF with
 * τ = dt/(1 − λ), r = τ/dt (τ and r float64, so that reading them back gives λ·u + I bit for
 * bit); λ = 1 → IF with r = 1/dt ('nir', 'spikingjelly') or 1 ('snntorch', 'norse'). The
 * thresholds are the layer's (float32), v_leak = 0, v_reset = 0 (hard reset).
 *
 * Choices where NIR cannot say what spikelite does (each returned as a warning):
 *  - soft (subtractive) reset: NIR has none; written as a hard reset to 0, as SpikingJelly
 *    does. Spikes then differ wherever the membrane overshoots θ.
 *  - single-spike LIF: NIR has no fire-once neuron; written as LIF/IF with v_reset = −1e30, so
 *    after its spike the membrane stays below −1e12 for the run's T steps: the same spikes.
 * Refused with the layer named: FS, general-SNN and other neurons, LIF with order 'previous',
 * max pooling, BatchNorm (fold it first), affine biases, asymmetric padding, rate input.
 *
 * Layouts are NIR's: images (C, H, W), Conv2d weights OIHW, Affine weights (out, in); a
 * Flatten in spikelite's (H, W, C) order ('hwc') is written as NIR's (C, H, W) Flatten with
 * the next Affine's columns and any per-feature parameters permuted to match.
 */
import { discreteToNir, integratorGain, type NirNeuronSpec } from '@spikelite/neurons';
import type { Node, SnnModel } from '@spikelite/models';
import { NIR_CONVENTION_DEFAULT_DT, NirConvention, pair, parseWith, type EncodingSpec } from '@spikelite/schemas';
import type { NirDocument, NirGraph, NirNode } from './graph.js';
import { hwcToChw, hwioToOihw, transpose2d } from './layout.js';
import { filledTensor, nirTensor, sizeOf, type NirTensor } from './tensor.js';
import { NIR_WRITE_VERSION } from './write.js';

export interface ExportSnnToNirOptions {
  /** Seconds per step the (τ, r) are written for; default 1e-3 (the 'snntorch' convention: 1e-4). */
  readonly dt?: number;
  /** Whose reading of (τ, r) the file follows; default 'nir' (see @spikelite/neurons nir/conventions.ts). */
  readonly convention?: NirConvention;
  /**
   * 'integrator' (default): an `I` node with gain 1 before the Output, which then carries
   * SnnModel's U(t). 'none': the Output takes the last layer's value as it is (what a graph
   * read from NIR had: its spikes or membrane).
   */
  readonly readout?: 'integrator' | 'none';
}

export interface NirExport {
  /** The graph and version "1.0.0", for writeNir. */
  readonly document: NirDocument;
  /** What the file cannot say exactly (soft resets, single-spike neurons), one line each. */
  readonly warnings: readonly string[];
  readonly dt: number;
  readonly convention: NirConvention;
}

/** The SNN cannot be written as NIR; `layer` names the layer (spec path), or null for the input. */
export class NirExportError extends Error {
  override readonly name = 'NirExportError';
  constructor(
    message: string,
    readonly layer: string | null,
  ) {
    super(message);
  }
}

/** Encodings whose per-step input a NIR Input node can take as it is. */
export const NIR_EXPORTABLE_ENCODINGS = ['direct', 'hybrid', 'temporal', 'frames'] as const;
/** Neuron kinds the export writes: spikelite's own, and the NIR kinds an imported graph runs with. */
export const NIR_EXPORTABLE_NEURONS = ['if', 'lif', 'singleSpikeLif', 'nirLif', 'nirIf', 'nirLi', 'nirI', 'nirCubaLif', 'nirCubaLi', 'nirThreshold'] as const;

/** The membrane a single-spike neuron is reset to: after its spike it cannot reach θ again. */
export const SINGLE_SPIKE_RESET = -1e30;

/** A value on the data path: the NIR nodes whose sum it is, its NIR shape, and its feature order. */
interface Val {
  readonly sources: readonly string[];
  /** NIR order: (C, H, W) for an image. */
  readonly shape: readonly number[];
  /**
   * A flattened image in spikelite's (h, w, c) order: spikelite feature j is NIR feature perm[j].
   * Null when both orders agree.
   */
  readonly perm: Int32Array | null;
}

type ActivationNode = Extract<Node, { op: 'activation' }>;

const fmt = (s: readonly number[]) => `(${s.join(', ')})`;
const nirShapeOf = (stored: readonly number[]): number[] => (stored.length === 3 ? [stored[2]!, stored[0]!, stored[1]!] : [...stored]);

/** (h, w, c) feature index → (c, h, w) index, for an [H, W, C] image. */
function hwcPerm([h, w, c]: readonly [number, number, number]): Int32Array {
  const perm = new Int32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) perm[(y * w + x) * c + k] = (k * h + y) * w + x;
  return perm;
}

/** SAME_UPPER padding (before, after) of one axis, as tfjs pads 'same'. */
function samePad(size: number, k: number, stride: number, dilation: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

class Exporter {
  readonly nodes: Record<string, NirNode> = {};
  readonly edges: [string, string][] = [];
  readonly warnings: string[] = [];
  private readonly used = new Set<string>(['input', 'output', 'readout']);

  constructor(
    readonly snn: SnnModel,
    readonly dt: number,
    readonly convention: NirConvention,
  ) {}

  fail(node: Node, why: string): never {
    throw new NirExportError(`${node.path} (${node.op === 'activation' ? `activation '${node.layer.fn}'` : node.op}): ${why}`, node.path);
  }

  /** A NIR node name for a layer: its name or path, dots replaced (NIR reads dots as subgraph paths). */
  private nameOf(node: Node): string {
    const layerName = 'layer' in node && node.layer !== undefined && 'name' in node.layer ? node.layer.name : undefined;
    const base = (layerName ?? node.path).replace(/[./]/g, '_');
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Adds `nirNode` for `node`, fed by `x`'s sources. */
  add(node: Node, x: Val, nirNode: NirNode, shape: readonly number[], perm: Int32Array | null = null): Val {
    const name = this.nameOf(node);
    this.nodes[name] = nirNode;
    for (const s of x.sources) this.edges.push([s, name]);
    return { sources: [name], shape, perm };
  }

  param(name: string): Float32Array {
    return Float32Array.from(this.snn.network.params.get(name).dataSync());
  }

  image(node: Node, x: Val): [number, number, number] {
    if (x.shape.length !== 3 || x.perm !== null) this.fail(node, `expects an image input, got ${fmt(x.shape)}`);
    return x.shape as [number, number, number];
  }

  /**
   * Per-neuron values of a value's full NIR shape from spikelite's one value (a layer) or one
   * per last-axis element (a channel of an image, a feature of a flat value).
   */
  spread(node: Node, values: readonly number[], x: Val, dtype: 'float32' | 'float64' = 'float32'): NirTensor {
    const n = sizeOf(x.shape);
    if (values.length === 1) return filledTensor(x.shape, values[0]!, dtype);
    const out = new Float64Array(n);
    if (x.shape.length === 3) {
      const [c, h, w] = x.shape as [number, number, number];
      if (values.length !== c) this.fail(node, `${values.length} per-channel values for ${c} channels`);
      for (let k = 0; k < c; k++) out.fill(values[k]!, k * h * w, (k + 1) * h * w);
    } else {
      const last = x.shape[x.shape.length - 1]!;
      if (values.length !== last) this.fail(node, `${values.length} per-channel values for an input of shape ${fmt(x.shape)}`);
      for (let j = 0; j < n; j++) out[x.perm ? x.perm[j]! : j] = values[j % last]!;
    }
    return nirTensor(out, x.shape, dtype);
  }

  /** One value per neuron (spikelite's order, or one for all) → the value's full NIR shape and order. */
  perNeuron(node: Node, value: number | readonly number[], x: Val): NirTensor {
    const values = typeof value === 'number' ? [value] : value;
    const dtype = dtypeFor(values);
    const n = sizeOf(x.shape);
    if (values.length === 1) return filledTensor(x.shape, values[0]!, dtype);
    if (values.length !== n) this.fail(node, `${values.length} per-neuron values for an input of ${n} neurons`);
    const out = new Float64Array(n);
    if (x.shape.length === 3) {
      const [c, h, w] = x.shape as [number, number, number];
      for (let k = 0; k < c; k++) for (let q = 0; q < h * w; q++) out[k * h * w + q] = values[q * c + k]!;
    } else values.forEach((v, j) => (out[x.perm ? x.perm[j]! : j] = v));
    return nirTensor(out, x.shape, dtype);
  }
}


/** float32 when every value is one, else float64 (τ from a discrete leak needs the digits). */
const dtypeFor = (values: readonly number[]): 'float32' | 'float64' => (values.every((v) => Math.fround(v) === v) ? 'float32' : 'float64');

type NodeExporter<O extends Node['op']> = (node: Extract<Node, { op: O }>, ins: Val[], ex: Exporter) => Val;

function pads2(node: Node, p: 'same' | 'valid' | { top: number; bottom: number; left: number; right: number }, same: () => [[number, number], [number, number]], ex: Exporter): [number, number] {
  const [[top, bottom], [left, right]] = p === 'valid' ? [[0, 0], [0, 0]] : p === 'same' ? same() : [[p.top, p.bottom], [p.left, p.right]];
  if (top !== bottom || left !== right) ex.fail(node, `padding (top ${top}, bottom ${bottom}, left ${left}, right ${right}) is not symmetric: NIR pads both sides equally`);
  return [top, left];
}

function poolNode(node: Extract<Node, { op: 'avgPool' | 'sumPool' }>, ins: Val[], ex: Exporter): Val {
  const x = ins[0]!;
  const [, h, w] = ex.image(node, x);
  const l = node.layer;
  const k = pair(l.poolSize);
  const s = pair(l.strides ?? l.poolSize);
  const padding = pads2(node, l.padding, () => [samePad(h, k[0], s[0], 1), samePad(w, k[1], s[1], 1)], ex);
  const out = nirShapeOf(node.output);
  // ceil mode only matters when it adds a window; NIR (PyTorch floor mode) has none.
  if (out[1] !== Math.floor((h + 2 * padding[0] - k[0]) / s[0]) + 1 || out[2] !== Math.floor((w + 2 * padding[1] - k[1]) / s[1]) + 1) {
    ex.fail(node, 'ceil mode adds a window here; NIR pools in floor mode');
  }
  if (node.op === 'avgPool' && (padding[0] > 0 || padding[1] > 0) && (l.padding === 'same' || !node.layer.countIncludePad)) {
    ex.fail(node, "padded zeros do not count in this average; NIR's AvgPool2d counts them (PyTorch's count_include_pad)");
  }
  const type = node.op === 'avgPool' ? ('AvgPool2d' as const) : ('SumPool2d' as const);
  return ex.add(node, x, { type, kernel_size: k, stride: s, padding }, out);
}

/** spikelite node op → NIR (a registry: the walker knows no op by name). */
const EXPORTERS: { readonly [O in Node['op']]?: NodeExporter<O> } = {
  conv2d: (node, [x], ex) => {
    const [c, h, w] = ex.image(node, x!);
    const l = node.layer;
    const [kh, kw] = pair(l.kernelSize);
    const strides = pair(l.strides);
    const dilation = pair(l.dilations);
    const cg = c / l.groups;
    const padding = pads2(node, l.padding, () => [samePad(h, kh, strides[0], dilation[0]), samePad(w, kw, strides[1], dilation[1])], ex);
    const weight = nirTensor(hwioToOihw(ex.param(node.kernel), [kh, kw, cg, l.filters]), [l.filters, cg, kh, kw]);
    const bias = node.bias === null ? filledTensor([l.filters], 0) : nirTensor(ex.param(node.bias), [l.filters]);
    return ex.add(node, x!, { type: 'Conv2d', weight, bias, stride: strides, padding, dilation, groups: l.groups, input_shape: [h, w] }, nirShapeOf(node.output));
  },
  linear: (node, [x], ex) => {
    if (x!.shape.length === 3) ex.fail(node, `expects a flat input, got an image ${fmt(x!.shape)}`);
    const inn = x!.shape[x!.shape.length - 1]!;
    const out = node.layer.units;
    const kernel = ex.param(node.kernel); // [in, out]
    let weight = transpose2d(kernel, inn, out); // (out, in)
    if (x!.perm !== null) {
      // Column perm[j] of the NIR weight reads the feature spikelite holds at j.
      const permuted = new Float32Array(weight.length);
      for (let o = 0; o < out; o++) for (let j = 0; j < inn; j++) permuted[o * inn + x!.perm[j]!] = weight[o * inn + j]!;
      weight = permuted;
    }
    const shape = [...x!.shape.slice(0, -1), out];
    const w = nirTensor(weight, [out, inn]);
    const nir: NirNode = node.bias === null ? { type: 'Linear', weight: w } : { type: 'Affine', weight: w, bias: nirTensor(ex.param(node.bias), [out]) };
    return ex.add(node, x!, nir, shape);
  },
  avgPool: poolNode,
  sumPool: poolNode,
  flatten: (node, [x], ex) => {
    if (x!.shape.length === 1) return x!;
    if (x!.shape.length !== 3 || x!.perm !== null) ex.fail(node, `flattening a ${fmt(x!.shape)} value is not written yet (images only)`);
    const [c, h, w] = x!.shape as [number, number, number];
    const perm = node.layer.order === 'chw' ? null : hwcPerm([h, w, c]);
    return ex.add(node, x!, { type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [c, h, w] }, [c * h * w], perm);
  },
  dropout: (_node, [x]) => x!, // identity at inference
  affine: (node, [x], ex) => {
    if (node.bias !== null) ex.fail(node, 'NIR has no element-wise bias (its Scale multiplies only)');
    const values = ex.param(node.scale!);
    const stored = node.output;
    // Broadcast the factor to the full per-image shape (spikelite's order), then to NIR's.
    const full = new Float32Array(sizeOf(stored));
    const pshape = [...Array<number>(stored.length - node.layer.shape.length).fill(1), ...node.layer.shape];
    for (let j = 0; j < full.length; j++) {
      let idx = 0;
      let rest = j;
      let stride = 1;
      for (let a = stored.length - 1; a >= 0; a--) {
        const coord = rest % stored[a]!;
        rest = Math.floor(rest / stored[a]!);
        if (pshape[a] !== 1) idx += coord * stride;
        stride *= pshape[a]!;
      }
      full[j] = values[idx]!;
    }
    let scale: Float32Array;
    if (stored.length === 3) scale = hwcToChw(full, stored as [number, number, number]);
    else if (x!.perm !== null) {
      scale = new Float32Array(full.length);
      full.forEach((v, j) => (scale[x!.perm![j]!] = v));
    } else scale = full;
    return ex.add(node, x!, { type: 'Scale', scale: nirTensor(scale, x!.shape) }, x!.shape, x!.perm);
  },
  add: (node, [a, b], ex) => {
    if (a!.shape.join() !== b!.shape.join()) ex.fail(node, `operands of shapes ${fmt(a!.shape)} and ${fmt(b!.shape)}: NIR sums equal shapes only`);
    if (a!.perm !== b!.perm) ex.fail(node, 'operands in different feature orders');
    const sources = [...a!.sources, ...b!.sources];
    if (new Set(sources).size !== sources.length) ex.fail(node, 'adds a value to itself: NIR edges cannot repeat');
    return { sources, shape: a!.shape, perm: a!.perm };
  },
  activation: (node, [x], ex) => neuronNode(node, x!, ex),
};

/** The NIR neuron of an activation layer, from its live neuron layer's parameters. */
function neuronNode(node: ActivationNode, x: Val, ex: Exporter): Val {
  const layer = ex.snn.neurons[node.index]!;
  const spec = layer.spec;
  if (layer.mode !== 'step' || !(NIR_EXPORTABLE_NEURONS as readonly string[]).includes(spec.kind)) {
    ex.fail(node, `neuron kind '${spec.kind}' cannot be written as NIR (supported: ${NIR_EXPORTABLE_NEURONS.join(', ')})`);
  }
  if (layer.mode !== 'step') throw new Error('unreachable');
  if (spec.kind.startsWith('nir')) return ex.add(node, x, nirKindNode(node, spec as NirNeuronSpec, x, ex), x.shape, x.perm);
  if (spec.kind === 'lif' && spec.order === 'previous') ex.fail(node, "LIF with order 'previous' (the spike from the last step's membrane) has no NIR form");
  if ((spec.kind === 'if' || spec.kind === 'lif') && spec.initialPotential !== 0) {
    ex.fail(node, `initial potential ${spec.initialPotential}·θ: NIR neurons start at v = 0 (convert with initialPotential 0, or export to ONNX)`);
  }
  const theta = layer.getParameter('threshold');
  const badTheta = theta.find((v) => !(v > 0 && Number.isFinite(v)));
  if (badTheta !== undefined) ex.fail(node, `threshold ${badTheta}: NIR's spike test v > v_threshold equals spikelite's for θ > 0 only`);
  const leak = spec.kind === 'if' ? [1] : layer.getParameter('leak');
  const bad = leak.find((l) => !(l <= 1 && Number.isFinite(l)));
  if (bad !== undefined) ex.fail(node, `leak ${bad} > 1 has no NIR form (τ would be negative)`);
  const leaky = leak.some((l) => l !== 1);
  if (leaky && leak.some((l) => l === 1)) ex.fail(node, 'per-channel leaks of 1 and below 1 mixed: NIR writes one neuron model per node');
  if (leaky && ex.convention === 'norse') ex.fail(node, "the 'norse' convention reads a LIF's input gain as dt/τ (r = 1), not 1: export with 'nir', 'snntorch' or 'spikingjelly'");
  const where = node.path;
  let vReset = 0;
  if (spec.kind === 'singleSpikeLif') {
    const T = ex.snn.timesteps;
    const lam = Math.min(...leak);
    // After the spike the membrane is v_reset·λ^k plus at most T steps of input.
    if (Math.pow(lam, T - 1) * -SINGLE_SPIKE_RESET < 1e12) ex.fail(node, `a single-spike LIF with leak ${lam} over ${T} steps: the reset to ${SINGLE_SPIKE_RESET} would decay within the run`);
    vReset = SINGLE_SPIKE_RESET;
    ex.warnings.push(`${where}: single-spike LIF written as ${leaky ? 'LIF' : 'IF'} with v_reset = ${SINGLE_SPIKE_RESET} (NIR has no fire-once neuron; over ${T} steps it cannot fire twice, so the spikes are the same)`);
  } else if ((spec.kind === 'if' || spec.kind === 'lif') && spec.reset === 'soft') {
    ex.warnings.push(`${where}: soft (subtractive) reset written as a hard reset to 0 (NIR has no subtractive reset); spikes differ wherever the membrane overshoots the threshold`);
  }
  const common = { v_threshold: ex.spread(node, theta, x), v_reset: filledTensor(x.shape, vReset) };
  let nir: NirNode;
  if (!leaky) nir = { type: 'IF', r: filledTensor(x.shape, integratorR(ex.dt, ex.convention), 'float64'), ...common };
  else {
    // discreteToNir's (τ, r) for the conventions that keep the input gain 1, extended to λ ≤ 0.
    const tau = leak.map((l) => ex.dt / (1 - l));
    nir = {
      type: 'LIF',
      tau: ex.spread(node, tau, x, 'float64'),
      r: ex.spread(node, tau.map((t) => t / ex.dt), x, 'float64'),
      v_leak: filledTensor(x.shape, 0),
      ...common,
    };
  }
  return ex.add(node, x, nir, x.shape, x.perm);
}

/**
 * A NIR-kind neuron (an imported graph's) written back: its parameters as they are, with the
 * time constants rescaled when the export's dt differs from the neuron's (dt/τ is kept) and an
 * integrator's r rescaled when the conventions integrate differently (its per-step gain is kept).
 */
function nirKindNode(node: ActivationNode, spec: NirNeuronSpec, x: Val, ex: Exporter): NirNode {
  const p = (v: number | readonly number[]) => ex.perNeuron(node, v, x);
  if (spec.kind === 'nirThreshold') return { type: 'Threshold', threshold: p(spec.vThreshold) };
  const scale = ex.dt / spec.dt;
  const tau = (v: number | readonly number[]) => p(scale === 1 ? v : typeof v === 'number' ? v * scale : v.map((t) => t * scale));
  const sameGain = spec.dt === ex.dt && integratorGain(1, 1, spec.convention) === integratorGain(1, 1, ex.convention);
  const gainR = (v: number | readonly number[]) => {
    if (sameGain) return p(v);
    const r = (g: number) => integratorGain(g, spec.dt, spec.convention) / integratorGain(1, ex.dt, ex.convention);
    return p(typeof v === 'number' ? r(v) : v.map(r));
  };
  switch (spec.kind) {
    case 'nirLif':
      return { type: 'LIF', tau: tau(spec.tau), r: p(spec.r), v_leak: p(spec.vLeak), v_threshold: p(spec.vThreshold), v_reset: p(spec.vReset) };
    case 'nirLi':
      return { type: 'LI', tau: tau(spec.tau), r: p(spec.r), v_leak: p(spec.vLeak) };
    case 'nirIf':
      return { type: 'IF', r: gainR(spec.r), v_threshold: p(spec.vThreshold), v_reset: p(spec.vReset) };
    case 'nirI':
      return { type: 'I', r: gainR(spec.r) };
    case 'nirCubaLif':
      return {
        type: 'CubaLIF', tau_syn: tau(spec.tauSyn), tau_mem: tau(spec.tauMem), r: p(spec.r), v_leak: p(spec.vLeak),
        v_threshold: p(spec.vThreshold), v_reset: p(spec.vReset), w_in: p(spec.wIn),
      };
    case 'nirCubaLi':
      return { type: 'CubaLI', tau_syn: tau(spec.tauSyn), tau_mem: tau(spec.tauMem), r: p(spec.r), v_leak: p(spec.vLeak), w_in: p(spec.wIn) };
  }
}

/** The r an IF or I node needs for a per-step gain of 1 under `convention`: 1/dt or 1. */
function integratorR(dt: number, convention: NirConvention): number {
  const m = discreteToNir(1, dt, convention);
  if (m.model !== 'IF') throw new Error('discreteToNir(1) is an IF');
  return m.r;
}

function encodingOf(snn: SnnModel): EncodingSpec {
  const spec = snn.encoder.spec;
  if (!(NIR_EXPORTABLE_ENCODINGS as readonly string[]).includes(spec.kind)) {
    throw new NirExportError(
      `the input: encoding '${spec.kind}' cannot be written as NIR (it draws random spikes; supported encodings, whose per-step input the NIR Input takes: ${NIR_EXPORTABLE_ENCODINGS.join(', ')})`,
      null,
    );
  }
  return spec;
}

/**
 * Write `snn` as a NIR graph: Input → the layers → `readout` (an I node: U(t)) → Output. The
 * NIR Input takes what the SNN's encoder feeds at each step (direct: the normalised image;
 * hybrid: the image, then the temporal spikes; frames: frame t). Throws NirExportError naming
 * the layer for what NIR cannot express.
 */
export function exportSnnToNir(snn: SnnModel, options: ExportSnnToNirOptions = {}): NirExport {
  const convention = parseWith(NirConvention, options.convention ?? 'nir', 'convention');
  const dt = options.dt ?? NIR_CONVENTION_DEFAULT_DT[convention] ?? 1e-3;
  if (!(dt > 0 && Number.isFinite(dt))) throw new NirExportError(`dt must be a positive number of seconds, got ${dt}`, null);
  const encoding = encodingOf(snn);
  const ex = new Exporter(snn, dt, convention);
  const spec = snn.network.spec;
  const inputShape = nirShapeOf('shape' in spec.input ? spec.input.shape : [spec.input.height, spec.input.width, spec.input.channels]);
  ex.nodes['input'] = { type: 'Input', shape: inputShape };
  const input: Val = { sources: ['input'], shape: inputShape, perm: null };
  const values: Val[] = [];
  for (const node of snn.network.graph.nodes) {
    const ins = node.inputs.map((i) => (i < 0 ? input : values[i]!));
    const make = EXPORTERS[node.op] as NodeExporter<Node['op']> | undefined;
    if (make === undefined) {
      const hint = node.op === 'maxPool' ? ' (convert with maxPool: "avg" to use average pooling)' : node.op === 'batchNorm' ? ' (fold it into the conv/linear before it)' : '';
      ex.fail(node, `NIR has no ${node.op} primitive${hint}`);
    }
    values[node.id] = make!(node, ins, ex);
  }
  const out = values[values.length - 1] ?? input;
  if (out.perm !== null) throw new NirExportError('the network output is a flattened image in (H, W, C) order; NIR would hold it as (C, H, W)', null);
  const integrate = (options.readout ?? 'integrator') === 'integrator';
  if (integrate) {
    // SnnModel's readout U(t) = U(t−1) + out(t): an integrator with gain 1.
    ex.nodes['readout'] = { type: 'I', r: filledTensor(out.shape, integratorR(dt, convention), 'float64') };
    for (const s of out.sources) ex.edges.push([s, 'readout']);
    ex.edges.push(['readout', 'output']);
  } else {
    if (out.sources.includes('input')) throw new NirExportError('the network output is its input: nothing to write', null);
    for (const s of out.sources) ex.edges.push([s, 'output']);
  }
  ex.nodes['output'] = { type: 'Output', shape: [...out.shape] };
  const graph: NirGraph = {
    type: 'NIRGraph',
    nodes: ex.nodes,
    edges: ex.edges,
    metadata: {
      source: 'spikelite',
      dt: nirTensor([dt], [], 'float64'),
      convention,
      timesteps: nirTensor([snn.timesteps], [], 'int64'),
      encoding: JSON.stringify(encoding),
      readout: integrate ? "the Output carries U(t), the 'readout' integrator's membrane; U(T) is the logits" : "the Output carries the last layer's value at each step; SnnModel sums it into the logits",
    },
  };
  return { document: { version: NIR_WRITE_VERSION, graph }, warnings: ex.warnings, dt, convention };
}
