/**
 * SnnModel → ONNX with the T timesteps unrolled into one static graph (opset 17), so any
 * ONNX runtime runs the SNN without spikelite. What one inference of the graph computes is
 * `snn.forward` (inference mode) on the same images:
 *
 *   input   `images`  [N, C, H, W] float32, raw pixels (NCHW, as the imported ANNs take them)
 *   output  `logits`  [N, classes]  the output integrator's U(T) = Σ_t out(t)
 *   output  `spikes`  [N, layers]   spikes of each neuron layer per image, summed over the T
 *                                    steps (summed over N: `SnnForwardResult.spikeCounts` summed over t)
 *
 * Layout: ONNX values are NCHW. Conv kernels are transposed HWIO → OIHW; a Flatten of a C×H×W
 * image keeps ONNX's (c, h, w) order and the dense rows, BatchNorm and per-channel neuron
 * parameters that read it are permuted instead (the importer's inverse), so no Transpose runs.
 *
 * Exactness: each neuron update uses the ops and the float32 order of the spikelite step, and
 * the spike test u > θ equals spikelite's H(u/θ − 1) for every float32 u when θ > 0 (see
 * `@spikelite/neurons` fused/lif-kernel.ts, "No division"); the temporal code's spike times
 * are computed in float64 as the JavaScript encoder does. What differs is the convolution and
 * matmul kernels (summation order), so potentials differ by float32 rounding and a neuron
 * sitting within that rounding of its threshold can flip (export.test.ts bounds it).
 *
 * Layers whose input does not change between steps (with direct input, everything before the
 * first neuron) are emitted once and reused by every step: same values, 1/T of the work.
 */
import { GRAPH_INPUT, type Node, type SnnModel } from '@spikelite/models';
import { pair, type EncodingSpec } from '@spikelite/schemas';
import { OnnxExportError } from '../errors.js';
import { hwcToChw, hwioToOihw } from '../layout.js';
import { DataType } from '../proto.js';
import { GraphBuilder, valueInfo } from './builder.js';

/** The opset the exporter writes (onnxruntime-node 1.30 runs it; so do runtimes since 2022). */
export const EXPORT_OPSET = 17;
/** IR version 8 goes with opset 17. */
const IR_VERSION = 8;

export const SNN_EXPORT_INPUT = 'images';
export const SNN_EXPORT_OUTPUTS = { logits: 'logits', spikes: 'spikes' } as const;

/** Neuron kinds and encodings the export writes; anything else is an {@link OnnxExportError}. */
export const EXPORTABLE_NEURONS = ['if', 'lif', 'singleSpikeLif'] as const;
export const EXPORTABLE_ENCODINGS = ['direct', 'hybrid', 'temporal'] as const;

export interface SnnExportOptions {
  /**
   * The per-channel normalisation the SnnModel's encoder applies to its analog steps, if it
   * was created with one (an Encoder does not expose it): `(x − mean[c]) / std[c]`.
   */
  normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** Write the `spikes` output (default true). */
  spikeCounts?: boolean;
  /** Graph name (default: the spec's name, else 'spikelite-snn'). */
  name?: string;
}

/** An ONNX value on the data path. `dims` exclude the batch: [C, H, W] or [F]. */
interface Val {
  name: string;
  dims: number[];
  /**
   * For a flattened C×H×W image: spikelite feature j (NHWC order) is ONNX feature perm[j].
   * Null when both orders agree.
   */
  perm: Int32Array | null;
}

interface NeuronState {
  u?: string;
  fired?: string;
}

type ActivationNode = Extract<Node, { op: 'activation' }>;
type NeuronLayer = SnnModel['neurons'][number];

const onnxDims = (nhwc: readonly number[]): number[] => (nhwc.length === 3 ? [nhwc[2]!, nhwc[0]!, nhwc[1]!] : [...nhwc]);

/** SAME_UPPER padding (before, after) of one axis, as tfjs pads 'same'. */
function samePad(size: number, k: number, stride: number, dilation: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function encodingOf(snn: SnnModel): EncodingSpec {
  const spec = snn.encoder.spec;
  if (!(EXPORTABLE_ENCODINGS as readonly string[]).includes(spec.kind)) {
    const why = spec.kind === 'rate' ? ' (it draws random spikes, which an ONNX graph cannot reproduce)' : '';
    throw new OnnxExportError(`encoding '${spec.kind}' cannot be exported to ONNX${why}; supported encodings: ${EXPORTABLE_ENCODINGS.join(', ')}`);
  }
  if (snn.timesteps > snn.encoder.timesteps) {
    throw new OnnxExportError(`the SNN runs ${snn.timesteps} timesteps but its encoder was made for ${snn.encoder.timesteps}`);
  }
  return spec;
}

class SnnExporter {
  readonly g = new GraphBuilder();
  /** Stateless layers already emitted: `${path}|${input}` → output (a step whose input did not change reuses them). */
  private readonly memo = new Map<string, Val>();
  private readonly consts = new Map<string, string>();
  private readonly gatherIndices = new Map<Int32Array, string>();
  private readonly states: NeuronState[];
  private readonly counts: Array<string | null>;
  private t = 0;
  private readonly encoded: { name: string | null; time: string | null } = { name: null, time: null };

  constructor(
    private readonly snn: SnnModel,
    private readonly encoding: EncodingSpec,
    private readonly input: Val,
    private readonly options: SnnExportOptions,
  ) {
    this.states = snn.neurons.map(() => ({}));
    this.counts = snn.neurons.map(() => null);
    // Fail before emitting anything when a neuron cannot be exported.
    snn.network.graph.activations.forEach((node) => this.neuronKind(node));
  }

  /** The whole unrolled graph; returns the names of U(T) and of the per-layer counts. */
  build(): { logits: Val; counts: string[] } {
    let u: Val | null = null;
    for (this.t = 0; this.t < this.snn.timesteps; this.t++) {
      const out = this.run(this.stepInput());
      u = u === null ? out : { ...out, name: this.g.op('Add', [u.name, out.name], `t${this.t}/U`) };
    }
    return { logits: this.materialize(u!, 'output'), counts: this.counts.map((c) => c!) };
  }

  // ------------------------------------------------------------ encoding

  private analog(): string {
    if (this.encoded.name !== null) return this.encoded.name;
    let x = this.input.name;
    const norm = this.options.normalization;
    if (norm !== undefined) {
      const c = this.input.dims[0]!;
      if (norm.mean.length !== c || norm.std.length !== c) {
        throw new OnnxExportError(`normalization has ${norm.mean.length} means and ${norm.std.length} stds; the images have ${c} channels`);
      }
      // The encoder's (x − mean) / std, in that order.
      const mean = this.g.float('input/mean', [c, 1, 1], Float32Array.from(norm.mean));
      const std = this.g.float('input/std', [c, 1, 1], Float32Array.from(norm.std));
      x = this.g.op('Div', [this.g.op('Sub', [x, mean], 'input/centred'), std], 'input/analog');
    }
    this.encoded.name = x;
    return x;
  }

  /**
   * The temporal code's spike time of every pixel as int64 (−1: never), computed once:
   * t = tMin + floor((1 − x)·(T − tMin)) for x > threshold, in float64 like the JS encoder,
   * on x clipped to [0, 1] (spikelite clips values within 1e-6 of the range and refuses others).
   */
  private spikeTimes(): string {
    if (this.encoded.time !== null) return this.encoded.time;
    const fields = this.encoding.kind === 'hybrid' ? this.encoding.temporal : this.encoding.kind === 'temporal' ? this.encoding : null;
    if (fields === null) throw new Error('spikeTimes: not a temporal encoding');
    if (fields.mapping !== 'linear') throw new OnnxExportError(`temporal mapping '${fields.mapping}' cannot be exported (supported: linear)`);
    const g = this.g;
    const T = this.snn.encoder.timesteps;
    const clipped = g.op('Clip', [this.input.name, g.scalar(0), g.scalar(1)], 'input/clipped');
    const x = g.op('Cast', [clipped], 'input/f64', { to: DataType.DOUBLE });
    const span = g.op('Mul', [g.op('Sub', [g.scalar(1, 'double'), x], 'input/dark'), g.scalar(T - fields.tMin, 'double')], 'input/span');
    const time = g.op('Add', [g.scalar(fields.tMin, 'double'), g.op('Floor', [span], 'input/floor')], 'input/time');
    const fires = g.op('Greater', [x, g.scalar(fields.threshold, 'double')], 'input/fires');
    const timed = g.op('Where', [fires, time, g.scalar(-1, 'double')], 'input/time_or_never');
    this.encoded.time = g.op('Cast', [timed], 'input/spike_time', { to: DataType.INT64 });
    return this.encoded.time;
  }

  private stepInput(): Val {
    const t = this.t;
    const e = this.encoding;
    const analog = e.kind === 'direct' || (e.kind === 'hybrid' && t < e.analogSteps);
    if (analog) return { ...this.input, name: this.analog() };
    const hit = this.g.op('Equal', [this.spikeTimes(), this.g.scalar(t, 'int64')], `t${t}/input/hit`);
    return { ...this.input, name: this.g.op('Cast', [hit], `t${t}/input/spikes`, { to: DataType.FLOAT }) };
  }

  // ------------------------------------------------------------ layers

  /** One timestep of the graph: every node's value, the last one returned. */
  private run(x: Val): Val {
    const values: Val[] = [];
    for (const node of this.snn.network.graph.nodes) {
      const ins = node.inputs.map((i) => (i === GRAPH_INPUT ? x : values[i]!));
      values[node.id] = this.layer(node, ins);
    }
    return values[values.length - 1] ?? x;
  }

  /** A stateless layer: emitted once per distinct input. */
  private once(node: Node, inputs: Val[], emit: () => Val): Val {
    const key = `${node.path}|${inputs.map((v) => v.name).join('|')}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const out = emit();
    this.memo.set(key, out);
    return out;
  }

  private hint(node: Node, what: string): string {
    return `t${this.t}/${node.path}/${what}`;
  }

  private weight(name: string, make: () => { dims: number[]; data: Float32Array }): string {
    const known = this.consts.get(name);
    if (known !== undefined) return known;
    const { dims, data } = make();
    const out = this.g.float(name, dims, data);
    this.consts.set(name, out);
    return out;
  }

  private param(name: string): Float32Array {
    return Float32Array.from(this.snn.network.params.get(name).dataSync());
  }

  private expectImage(node: Node, h: Val): [number, number, number] {
    if (h.dims.length !== 3) throw new OnnxExportError(`${node.path} (${node.op}): expected an image input, got [${h.dims}]`, node.path);
    return h.dims as [number, number, number];
  }

  /**
   * A per-image broadcast parameter (spikelite shape `shape`, NHWC when it reads an image) as an
   * ONNX constant that broadcasts against `h` the same way: an image's [h, w, c] becomes [c, h, w].
   */
  private broadcastParam(node: Node, name: string, shape: readonly number[], h: Val): string {
    const data = this.param(name);
    if (h.dims.length !== 3) {
      if (h.perm !== null && data.length > 1) throw new OnnxExportError(`${node.path} (${node.op}): a per-feature parameter on a flattened image cannot be exported`, node.path);
      return this.weight(name, () => ({ dims: [...shape], data }));
    }
    const [a, b, c] = [...Array<number>(3 - shape.length).fill(1), ...shape] as [number, number, number];
    return this.weight(name, () => {
      const out = new Float32Array(data.length);
      for (let y = 0; y < a; y++) for (let x = 0; x < b; x++) for (let k = 0; k < c; k++) out[(k * a + y) * b + x] = data[(y * b + x) * c + k]!;
      return { dims: [c, a, b], data: out };
    });
  }

  /** ONNX axis (batch included) of a spikelite per-image axis of a value of per-image rank `rank`. */
  private onnxAxis(axis: number, rank: number): number {
    return 1 + (rank === 3 ? [1, 2, 0][axis]! : axis);
  }

  private unsupported(node: Node, why = 'is not supported by the ONNX export yet'): never {
    throw new OnnxExportError(`${node.path} (${node.op}): ${why}`, node.path);
  }

  private layer(node: Node, ins: Val[]): Val {
    const g = this.g;
    const h = ins[0]!;
    const out = (name: string, perm: Int32Array | null = null): Val => ({ name, dims: onnxDims(node.output), perm });
    switch (node.op) {
      case 'conv2d':
        return this.once(node, [h], () => {
          const [cin, ih, iw] = this.expectImage(node, h);
          const l = node.layer;
          const [kh, kw] = pair(l.kernelSize);
          const [sh, sw] = pair(l.strides);
          const [dh, dw] = pair(l.dilations);
          const cout = l.filters;
          const cg = cin / l.groups;
          const [top, bottom] = l.padding === 'same' ? samePad(ih, kh, sh, dh) : l.padding === 'valid' ? [0, 0] : [l.padding.top, l.padding.bottom];
          const [left, right] = l.padding === 'same' ? samePad(iw, kw, sw, dw) : l.padding === 'valid' ? [0, 0] : [l.padding.left, l.padding.right];
          const w = this.weight(node.kernel, () => ({ dims: [cout, cg, kh, kw], data: hwioToOihw(this.param(node.kernel), [kh, kw, cg, cout]) }));
          const inputs = [h.name, w];
          if (node.bias) inputs.push(this.weight(node.bias, () => ({ dims: [cout], data: this.param(node.bias!) })));
          const y = g.op('Conv', inputs, this.hint(node, 'conv'), {
            kernel_shape: [kh, kw],
            strides: [sh, sw],
            dilations: [dh, dw],
            pads: [top, left, bottom, right],
            ...(l.groups > 1 ? { group: l.groups } : {}),
          });
          return out(y);
        });
      case 'linear':
        return this.once(node, [h], () => {
          if (h.dims.length !== 1) throw new OnnxExportError(`${node.path} (linear): expected a flat input, got [${h.dims}]`, node.path);
          const rows = h.dims[0]!;
          const cols = node.layer.units;
          const perm = h.perm;
          // Rows in the order the flattened NCHW value holds the features.
          const w = this.weight(`${node.kernel}${perm ? ':chw' : ''}`, () => {
            const k = this.param(node.kernel);
            if (perm === null) return { dims: [rows, cols], data: k };
            const data = new Float32Array(k.length);
            for (let j = 0; j < rows; j++) data.set(k.subarray(j * cols, (j + 1) * cols), perm[j]! * cols);
            return { dims: [rows, cols], data };
          });
          if (node.bias === null) return out(g.op('MatMul', [h.name, w], this.hint(node, 'matmul')));
          const b = this.weight(node.bias, () => ({ dims: [cols], data: this.param(node.bias!) }));
          return out(g.op('Gemm', [h.name, w, b], this.hint(node, 'gemm')));
        });
      case 'avgPool':
      case 'maxPool':
      case 'sumPool':
        return this.once(node, [h], () => {
          const [, ih, iw] = this.expectImage(node, h);
          const l = node.layer;
          const [kh, kw] = pair(l.poolSize);
          const [sh, sw] = pair(l.strides ?? l.poolSize);
          const [dh, dw] = node.op === 'maxPool' ? pair(node.layer.dilations ?? 1) : [1, 1];
          const p = l.padding;
          const [top, bottom] = p === 'same' ? samePad(ih, kh, sh, dh) : p === 'valid' ? [0, 0] : [p.top, p.bottom];
          const [left, right] = p === 'same' ? samePad(iw, kw, sw, dw) : p === 'valid' ? [0, 0] : [p.left, p.right];
          const attrs: Record<string, number | number[]> = {
            kernel_shape: [kh, kw],
            strides: [sh, sw],
            pads: [top, left, bottom, right],
            ceil_mode: p !== 'same' && l.ceilMode ? 1 : 0,
          };
          if (node.op === 'maxPool') {
            if (dh !== 1 || dw !== 1) attrs['dilations'] = [dh, dw];
            return out(g.op('MaxPool', [h.name], this.hint(node, 'maxPool'), attrs));
          }
          // tfjs 'same' averages over the window's inputs only (count_include_pad=0); a sum pool counts the padded zeros.
          attrs['count_include_pad'] = node.op === 'sumPool' || (node.op === 'avgPool' && node.layer.countIncludePad) ? 1 : 0;
          const avg = g.op('AveragePool', [h.name], this.hint(node, 'avgPool'), attrs);
          return out(node.op === 'avgPool' ? avg : g.op('Mul', [avg, g.scalar(kh * kw)], this.hint(node, 'sum')));
        });
      case 'globalAvgPool':
      case 'globalMaxPool':
        return this.once(node, [h], () => {
          this.expectImage(node, h);
          const pooled = g.op(node.op === 'globalAvgPool' ? 'GlobalAveragePool' : 'GlobalMaxPool', [h.name], this.hint(node, 'gpool'));
          return out(node.layer.keepDims ? pooled : g.op('Flatten', [pooled], this.hint(node, 'flat'), { axis: 1 }));
        });
      case 'flatten':
        if (h.dims.length === 1) return h;
        return this.once(node, [h], () => {
          if (h.dims.length !== 3) this.unsupported(node, `flattening a rank-${h.dims.length} value is not supported by the ONNX export yet`);
          const [c, hh, ww] = h.dims as [number, number, number];
          // ONNX flattens (c, h, w): that is a 'chw' flatten; an 'hwc' one keeps the order as a permutation.
          const perm = node.layer.order !== 'chw' && c > 1 && hh * ww > 1 ? hwcToChw([c, hh, ww]) : null;
          return out(g.op('Flatten', [h.name], this.hint(node, 'flatten'), { axis: 1 }), perm);
        });
      case 'batchNorm':
        return this.once(node, [h], () => {
          const c = h.dims[0]!;
          const p = (name: string): string =>
            this.weight(`${name}${h.perm ? ':chw' : ''}`, () => ({ dims: [c], data: this.permuted(this.param(name), h.perm) }));
          const y = g.op('BatchNormalization', [h.name, p(node.gamma), p(node.beta), p(node.mean), p(node.variance)], this.hint(node, 'bn'), {
            epsilon: { float: node.layer.epsilon },
          });
          return { name: y, dims: h.dims, perm: h.perm };
        });
      case 'dropout':
        return h; // identity at inference
      case 'activation':
        return this.neuron(node, h);
      case 'affine':
        return this.once(node, [h], () => {
          let y = h.name;
          if (node.scale) y = g.op('Mul', [y, this.broadcastParam(node, node.scale, node.layer.shape, h)], this.hint(node, 'scale'));
          if (node.bias) y = g.op('Add', [y, this.broadcastParam(node, node.bias, node.layer.shape, h)], this.hint(node, 'bias'));
          return { name: y, dims: h.dims, perm: h.perm };
        });
      case 'add':
      case 'sub':
      case 'mul':
      case 'div': {
        let [a, b] = ins as [Val, Val];
        if (a.dims.length !== b.dims.length) this.unsupported(node, `operands of per-image ranks ${a.dims.length} and ${b.dims.length} are not supported by the ONNX export yet`);
        if (a.perm !== b.perm) {
          a = this.materialize(a, node.path);
          b = this.materialize(b, node.path);
        }
        const [x, y] = [a, b];
        const op = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' }[node.op];
        return this.once(node, [x, y], () => ({ name: g.op(op, [x.name, y.name], this.hint(node, node.op)), dims: onnxDims(node.output), perm: x.perm }));
      }
      case 'concat': {
        const parts = ins.some((v) => v.perm !== null) ? ins.map((v) => this.materialize(v, node.path)) : ins;
        return this.once(node, parts, () =>
          out(g.op('Concat', parts.map((v) => v.name), this.hint(node, 'concat'), { axis: this.onnxAxis(node.axis, node.input.length) })),
        );
      }
      case 'constant':
        return this.once(node, [], () => {
          const shape = node.layer.shape;
          const v = this.broadcastParam(node, node.value, shape, { name: '', dims: shape.length === 3 ? onnxDims(shape) : [...shape], perm: null });
          const dims = shape.length === 3 ? onnxDims(shape) : [...shape];
          return { name: g.op('Unsqueeze', [v, g.int64(`${node.path}/batch_axis`, [0])], this.hint(node, 'batch')), dims, perm: null };
        });
      default:
        return this.unsupported(node);
    }
  }

  /** Per-feature values in the order of a (possibly permuted) flat value. */
  private permuted(values: Float32Array, perm: Int32Array | null): Float32Array {
    if (perm === null) return values;
    const out = new Float32Array(values.length);
    perm.forEach((to, j) => (out[to] = values[j]!));
    return out;
  }

  /** A flat value in spikelite's (h, w, c) order: a Gather of the permuted features. */
  private materialize(v: Val, where: string): Val {
    if (v.perm === null) return v;
    const perm = v.perm;
    const key = `materialize|${v.name}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let idx = this.gatherIndices.get(perm);
    if (idx === undefined) {
      idx = this.g.int64(`${where}/hwc_order`, Array.from(perm));
      this.gatherIndices.set(perm, idx);
    }
    const out = { name: this.g.op('Gather', [v.name, idx], `t${this.t}/${where}/hwc`, { axis: 1 }), dims: v.dims, perm: null };
    this.memo.set(key, out);
    return out;
  }

  // ------------------------------------------------------------ neurons

  private neuronKind(node: ActivationNode): 'lif' | 'singleSpikeLif' {
    const layer = this.snn.neurons[node.index]!;
    const kind = layer.spec.kind;
    if (layer.mode === 'step' && (kind === 'if' || kind === 'lif')) return 'lif';
    if (layer.mode === 'step' && kind === 'singleSpikeLif') return 'singleSpikeLif';
    throw new OnnxExportError(
      `${node.path}: neuron kind '${kind}' cannot be exported to ONNX; supported neurons: ${EXPORTABLE_NEURONS.join(', ')}`,
      node.path,
    );
  }

  /**
   * A neuron parameter as an ONNX constant broadcasting over [N, C, H, W] or [N, F]; null for
   * a leak of exactly 1 (λ·u = u bit for bit, so the multiply is left out, as for IF).
   */
  private neuronParam(node: ActivationNode, layer: NeuronLayer, h: Val, which: 'threshold' | 'leak'): string | null {
    if (layer.mode !== 'step') throw new Error('neuronParam: a block neuron');
    const values = layer.getParameter(which);
    if (which === 'leak' && values.every((v) => v === 1)) return null;
    const bad = values.find((v) => !Number.isFinite(v) || (which === 'threshold' && v <= 0));
    if (bad !== undefined) {
      const need = which === 'threshold' ? 'positive and finite (the ONNX spike test is u > θ)' : 'finite';
      throw new OnnxExportError(`${node.path}: ${which} must be ${need}, got ${bad}`, node.path);
    }
    if (values.length === 1) return this.g.float(`${node.path}/${which}`, [], Float32Array.of(values[0]!));
    const channels = h.dims[0]!; // C of [C, H, W], or the features of a flat value
    if (values.length !== channels) {
      throw new OnnxExportError(`${node.path}: ${values.length} per-channel ${which} values for an input of ${channels} channels`, node.path);
    }
    const data = h.dims.length === 3 ? Float32Array.from(values) : this.permuted(Float32Array.from(values), h.perm);
    const dims = h.dims.length === 3 ? [channels, 1, 1] : [channels];
    return this.g.float(`${node.path}/${which}`, dims, data);
  }

  private neuronConsts = new Map<number, { threshold: string; leak: string | null }>();

  private neuron(node: ActivationNode, h: Val): Val {
    const layer = this.snn.neurons[node.index]!;
    const kind = this.neuronKind(node);
    let p = this.neuronConsts.get(node.index);
    if (p === undefined) {
      const threshold = this.neuronParam(node, layer, h, 'threshold')!;
      const leak = layer.spec.kind === 'if' ? null : this.neuronParam(node, layer, h, 'leak');
      p = { threshold, leak };
      this.neuronConsts.set(node.index, p);
    }
    const last = this.t === this.snn.timesteps - 1;
    const state = this.states[node.index]!;
    const spikes = kind === 'lif' ? this.lifStep(node, layer, h, state, p, last) : this.singleSpikeStep(node, layer, h, state, p, last);
    const g = this.g;
    // Spikes per image this step: a sum of 0/1 floats, exact far beyond any layer size here.
    const axes = g.int64(`${node.path}/count_axes`, h.dims.map((_, i) => i + 1));
    const c = g.op('ReduceSum', [spikes, axes], this.hint(node, 'count'), { keepdims: 0 });
    const prev = this.counts[node.index];
    this.counts[node.index] = prev ? g.op('Add', [prev, c], this.hint(node, 'count_sum')) : c;
    return { name: spikes, dims: h.dims, perm: h.perm };
  }

  /**
   * IF/LIF (lif.ts), u(−1) = f·θ (f = initialPotential, usually 0):
   *  current:  u₁ = λ·u + I;  s = u₁ > θ;  u = u₁ − θ·s (soft) | u₁·(1 − s) (hard)
   *  previous: s = u > θ;      u = λ·u + I − θ·s (soft) | λ·u·(1 − s) + I (hard)
   * The resets are written as Where(s, …): equal values, since u₁ − θ·0 = u₁ and u₁·0 = 0.
   */
  private lifStep(node: ActivationNode, layer: NeuronLayer, h: Val, state: NeuronState, p: { threshold: string; leak: string | null }, last: boolean): string {
    const g = this.g;
    const spec = layer.spec;
    const hard = (spec.kind === 'if' || spec.kind === 'lif') && spec.reset === 'hard';
    const order = spec.kind === 'lif' ? spec.order : 'current';
    const I = h.name;
    const hint = (w: string): string => this.hint(node, w);
    // u(−1) = f·θ (broadcast over the image) when the neuron starts at a fraction f of θ.
    const f = spec.kind === 'if' || spec.kind === 'lif' ? spec.initialPotential : 0;
    const u = state.u ?? (f > 0 ? g.op('Mul', [p.threshold, g.scalar(f)], hint('u_init')) : undefined);
    const leaked = u === undefined ? null : p.leak === null ? u : g.op('Mul', [p.leak, u], hint('leaked'));
    if (order === 'current') {
      const u1 = leaked === null ? I : g.op('Add', [leaked, I], hint('u1'));
      const fire = g.op('Greater', [u1, p.threshold], hint('fire'));
      if (!last) {
        const reset = hard ? g.scalar(0) : g.op('Sub', [u1, p.threshold], hint('u1_minus_theta'));
        state.u = g.op('Where', [fire, reset, u1], hint('u'));
      }
      return g.op('Cast', [fire], hint('spikes'), { to: DataType.FLOAT });
    }
    // 'previous': the spike reads u(t−1); at t = 0 that is f·θ, below θ (f < 1).
    if (state.u === undefined) {
      if (!last) state.u = leaked === null ? I : g.op('Add', [leaked, I], hint('u'));
      return g.op('ConstantOfShape', [g.op('Shape', [I], hint('shape'))], hint('spikes')); // float32 zeros
    }
    if (leaked === null) throw new Error('unreachable: u(t−1) is set after the first step');
    const fire = g.op('Greater', [state.u, p.threshold], hint('fire'));
    if (!last) {
      if (hard) {
        const kept = g.op('Where', [fire, g.scalar(0), leaked], hint('kept'));
        state.u = g.op('Add', [kept, I], hint('u'));
      } else {
        const u1 = g.op('Add', [leaked, I], hint('u1'));
        state.u = g.op('Where', [fire, g.op('Sub', [u1, p.threshold], hint('u1_minus_theta')), u1], hint('u'));
      }
    }
    return g.op('Cast', [fire], hint('spikes'), { to: DataType.FLOAT });
  }

  /**
   * Single-spike LIF (single-spike-lif.ts), u(−1) = 0, fired(−1) = false:
   *   u₁ = λ·u + I  (freeze: u once fired);  s = (u₁ > θ) ∧ ¬fired;
   *   u = u₁·(1 − s) (reset) | u₁ (freeze);  fired ← fired ∨ s
   */
  private singleSpikeStep(node: ActivationNode, layer: NeuronLayer, h: Val, state: NeuronState, p: { threshold: string; leak: string | null }, last: boolean): string {
    const g = this.g;
    const spec = layer.spec;
    const freeze = spec.kind === 'singleSpikeLif' && spec.afterSpike === 'freeze';
    const hint = (w: string): string => this.hint(node, w);
    const I = h.name;
    let u1 = I;
    if (state.u !== undefined) {
      const leaked = p.leak === null ? state.u : g.op('Mul', [p.leak, state.u], hint('leaked'));
      u1 = g.op('Add', [leaked, I], hint('u1'));
      if (freeze) u1 = g.op('Where', [state.fired!, state.u, u1], hint('u1_frozen'));
    }
    const above = g.op('Greater', [u1, p.threshold], hint('above'));
    const fire = state.fired === undefined ? above : g.op('And', [above, g.op('Not', [state.fired], hint('silent'))], hint('fire'));
    if (!last) {
      state.u = freeze ? u1 : g.op('Where', [fire, g.scalar(0), u1], hint('u'));
      state.fired = state.fired === undefined ? fire : g.op('Or', [state.fired, fire], hint('fired'));
    }
    return g.op('Cast', [fire], hint('spikes'), { to: DataType.FLOAT });
  }
}

/**
 * Write `snn` as an ONNX model (ModelProto bytes) with its T steps unrolled: input `images`
 * [N, C, H, W], outputs `logits` [N, classes] and `spikes` [N, layers] (see the file comment).
 * Weights are read from `snn.network.params`, thresholds and leaks from the live neuron
 * layers. Throws {@link OnnxExportError} naming the layer for neurons other than IF, LIF and
 * single-spike LIF, and for encodings other than direct, hybrid and temporal.
 */
export function exportSnnToOnnx(snn: SnnModel, options: SnnExportOptions = {}): Uint8Array {
  const encoding = encodingOf(snn);
  const spec = snn.network.spec;
  if ('shape' in spec.input) throw new OnnxExportError('only image models ({ channels, height, width } input) can be exported');
  const { channels: C, height: H, width: W } = spec.input;
  const input: Val = { name: SNN_EXPORT_INPUT, dims: [C, H, W], perm: null };
  const ex = new SnnExporter(snn, encoding, input, options);
  ex.g.reserve(SNN_EXPORT_INPUT);
  const { logits, counts } = ex.build();
  const g = ex.g;
  const outputs = [valueInfo(SNN_EXPORT_OUTPUTS.logits, ['N', ...logits.dims])];
  g.op('Identity', [logits.name], '', {}, g.reserve(SNN_EXPORT_OUTPUTS.logits));
  const withSpikes = (options.spikeCounts ?? true) && counts.length > 0;
  if (withSpikes) {
    const one = g.int64('spikes/axis', [1]);
    const columns = counts.map((c, i) => g.op('Unsqueeze', [c, one], `spikes/layer${i}`));
    g.op('Concat', columns, '', { axis: 1 }, g.reserve(SNN_EXPORT_OUTPUTS.spikes));
    outputs.push(valueInfo(SNN_EXPORT_OUTPUTS.spikes, ['N', counts.length]));
  }
  const layers = snn.network.graph.activations.map((a, i) => `${a.path}:${snn.neurons[i]!.spec.kind}`);
  return g.model({
    name: options.name ?? spec.name ?? 'spikelite-snn',
    opset: EXPORT_OPSET,
    irVersion: IR_VERSION,
    inputs: [valueInfo(SNN_EXPORT_INPUT, ['N', C, H, W])],
    outputs,
    docString:
      `spikelite SNN, ${snn.timesteps} timesteps unrolled, ${encoding.kind} input. images: [N, C, H, W] raw pixels; ` +
      `logits: the output membrane U(T); spikes: spikes per image of each neuron layer summed over the timesteps.`,
    metadata: {
      'spikelite.timesteps': String(snn.timesteps),
      'spikelite.encoding': JSON.stringify(encoding),
      'spikelite.neuronLayers': JSON.stringify(layers),
      'spikelite.outputs': withSpikes ? 'logits,spikes' : 'logits',
    },
  });
}
