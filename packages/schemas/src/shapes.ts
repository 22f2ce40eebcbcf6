/**
 * Shape inference for a ModelSpec. Shapes are per image (no batch axis): `[h, w, c]` for
 * images (NHWC), `[features]` when flat, any rank for general tensors. Sizes follow tfjs/ONNX:
 * - conv 'same':  out = ceil(in / stride)
 * - conv 'valid': out = floor((in − ((k − 1)·d + 1)) / stride) + 1
 * - conv pads:    out = floor((in + before + after − ((k − 1)·d + 1)) / stride) + 1
 * - pool 'same':  out = ceil(in / stride)
 * - pool 'valid' or pads: out = floor((in + pads − ((k − 1)·d + 1)) / stride) + 1, or with
 *   ceilMode ceil(…) + 1, where (PyTorch/ONNX) a last window that would start in the end
 *   padding (or past the input) is dropped.
 *
 * Inputs: a layer without `inputs` takes the previous top-level layer's output (the input
 * image for the first); `inputs` name earlier top-level layers or 'input'. Layers inside a
 * residual block form a chain from the block's input.
 */
import { pair } from './common.js';
import {
  INPUT_REF,
  inputShapeOf,
  type AvgPoolLayer,
  type Conv2dLayer,
  type Layer,
  type MaxPoolLayer,
  type ModelSpec,
  type SumPoolLayer,
} from './model.js';
import { SpikeliteConfigError, joinPath } from './errors.js';

/** A per-image shape: `[height, width, channels]` (NHWC without the batch), `[features]`, or any other. */
export type Shape = number[];

/** Input and output shape of one layer; residual layers also trace their branches. */
export interface ShapeTrace {
  /** Dotted path in the spec, e.g. `layers.2` or `layers.2.body.0`. */
  path: string;
  kind: Layer['kind'];
  name?: string;
  /** The first input's shape. */
  input: Shape;
  /** Every input's shape, in `inputs` order (empty for a constant). */
  inputs: Shape[];
  /**
   * Top-level layer indices the inputs come from (−1: the network input). Only on top-level
   * layers; inside a residual block each layer takes the one before it.
   */
  sources?: number[];
  output: Shape;
  body?: ShapeTrace[];
  shortcut?: ShapeTrace[];
}

type PathKey = string | number;
type ShapeCheck = { ok: true; traces: ShapeTrace[]; output: Shape } | { ok: false; path: PathKey[]; message: string };

class ShapeProblem extends Error {
  constructor(
    readonly path: PathKey[],
    message: string,
  ) {
    super(message);
  }
}

const fmt = (s: Shape): string => `[${s.join(', ')}]`;
const hw = (h: number, w: number): string => `${h}x${w}`;
const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

function describe(layer: Layer): string {
  return layer.name === undefined ? layer.kind : `${layer.kind} '${layer.name}'`;
}

function need3d(layer: Layer, input: Shape, path: PathKey[]): [number, number, number] {
  if (input.length !== 3) {
    throw new ShapeProblem(path, `${describe(layer)} expects a 3-D [height, width, channels] input, got ${fmt(input)}`);
  }
  return input as [number, number, number];
}

function normAxis(axis: number, rank: number, layer: Layer, path: PathKey[]): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeProblem(path, `${describe(layer)}: axis ${axis} is out of range for a rank-${rank} input`);
  return a;
}

type AxisPad = 'same' | 'valid' | readonly [number, number];

function windowAxis(n: number, k: number, stride: number, dilation: number, pad: AxisPad, ceil: boolean): number {
  if (pad === 'same') return Math.ceil(n / stride);
  const [before, after] = pad === 'valid' ? [0, 0] : pad;
  const span = n + before + after - ((k - 1) * dilation + 1);
  if (!ceil) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // PyTorch/ONNX: the last window must start inside the input or the start padding.
  if ((out - 1) * stride >= n + before) out -= 1;
  return out;
}

function axisPads(p: 'same' | 'valid' | { top: number; bottom: number; left: number; right: number }): [AxisPad, AxisPad] {
  return typeof p === 'string' ? [p, p] : [[p.top, p.bottom], [p.left, p.right]];
}

function convShape(layer: Conv2dLayer, input: Shape, path: PathKey[]): Shape {
  const [h, w, c] = need3d(layer, input, path);
  const [kh, kw] = pair(layer.kernelSize);
  const [sh, sw] = pair(layer.strides);
  const [dh, dw] = pair(layer.dilations);
  const g = layer.groups;
  if (c % g !== 0) throw new ShapeProblem(path, `${describe(layer)}: groups ${g} does not divide the ${c} input channels`);
  if (layer.filters % g !== 0) throw new ShapeProblem(path, `${describe(layer)}: groups ${g} does not divide filters ${layer.filters}`);
  const [padH, padW] = axisPads(layer.padding);
  const oh = windowAxis(h, kh, sh, dh, padH, false);
  const ow = windowAxis(w, kw, sw, dw, padW, false);
  if (oh < 1 || ow < 1) {
    const eh = (kh - 1) * dh + 1;
    const ew = (kw - 1) * dw + 1;
    const ph = typeof padH === 'string' ? h : h + padH[0] + padH[1];
    const pw = typeof padW === 'string' ? w : w + padW[0] + padW[1];
    throw new ShapeProblem(
      path,
      `${describe(layer)}: kernel ${hw(kh, kw)}${dh > 1 || dw > 1 ? ` (dilated to ${hw(eh, ew)})` : ''} is bigger than its ${
        ph === h && pw === w ? '' : 'padded '
      }input ${hw(ph, pw)}`,
    );
  }
  return [oh, ow, layer.filters];
}

function poolShape(layer: AvgPoolLayer | MaxPoolLayer | SumPoolLayer, input: Shape, path: PathKey[]): Shape {
  const [h, w, c] = need3d(layer, input, path);
  const [kh, kw] = pair(layer.poolSize);
  const [sh, sw] = pair(layer.strides ?? layer.poolSize);
  const [dh, dw] = layer.kind === 'maxPool' ? pair(layer.dilations ?? 1) : [1, 1];
  const [padH, padW] = axisPads(layer.padding);
  if (typeof layer.padding !== 'string') {
    const p = layer.padding;
    // ONNX/PyTorch: a pad must be smaller than the window (else a window could hold only padding).
    if (Math.max(p.top, p.bottom) >= (kh - 1) * dh + 1 || Math.max(p.left, p.right) >= (kw - 1) * dw + 1) {
      throw new ShapeProblem(path, `${describe(layer)}: pads [${p.top}, ${p.left}, ${p.bottom}, ${p.right}] must be smaller than the ${hw(kh, kw)} window`);
    }
  }
  const oh = windowAxis(h, kh, sh, dh, padH, layer.ceilMode);
  const ow = windowAxis(w, kw, sw, dw, padW, layer.ceilMode);
  if (oh < 1 || ow < 1) throw new ShapeProblem(path, `${describe(layer)}: pool ${hw(kh, kw)} is bigger than its input ${hw(h, w)}`);
  return [oh, ow, c];
}

/** NumPy broadcasting of two shapes, or null when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): Shape | null {
  const rank = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Number of inputs each kind takes: exact, or a minimum. */
function arity(layer: Layer): { min: number; max: number } {
  switch (layer.kind) {
    case 'constant':
      return { min: 0, max: 0 };
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'matmul':
      return { min: 2, max: 2 };
    case 'concat':
      return { min: 1, max: Infinity };
    default:
      return { min: 1, max: 1 };
  }
}

/** The output shape of one (non-residual) layer from its input shapes. */
function layerShape(layer: Exclude<Layer, { kind: 'residual' }>, inputs: Shape[], path: PathKey[]): Shape {
  const shape = inputs[0]!;
  switch (layer.kind) {
    case 'conv2d':
      return convShape(layer, shape, path);
    case 'avgPool':
    case 'maxPool':
    case 'sumPool':
      return poolShape(layer, shape, path);
    case 'globalAvgPool':
    case 'globalMaxPool': {
      const c = need3d(layer, shape, path)[2];
      return layer.keepDims ? [1, 1, c] : [c];
    }
    case 'flatten':
      return [size(shape)];
    case 'linear':
      if (shape.length < 1) throw new ShapeProblem(path, `${describe(layer)} needs an input with at least one axis`);
      return [...shape.slice(0, -1), layer.units];
    case 'batchNorm':
      if (shape.length < 1) throw new ShapeProblem(path, `${describe(layer)} needs a channel axis`);
      return shape;
    case 'dropout':
    case 'softmax':
      if (layer.kind === 'softmax') normAxis(layer.axis, shape.length, layer, path);
      return shape;
    case 'activation':
      if (layer.fn === 'prelu' && broadcastShapes(shape, layer.slopeShape!)?.join() !== shape.join()) {
        throw new ShapeProblem(path, `${describe(layer)}: slopeShape ${fmt(layer.slopeShape!)} does not broadcast to the input ${fmt(shape)}`);
      }
      return shape;
    case 'affine':
      if (broadcastShapes(shape, layer.shape)?.join() !== shape.join()) {
        throw new ShapeProblem(path, `${describe(layer)}: shape ${fmt(layer.shape)} does not broadcast to the input ${fmt(shape)}`);
      }
      return shape;
    case 'add':
    case 'sub':
    case 'mul':
    case 'div': {
      const out = broadcastShapes(inputs[0]!, inputs[1]!);
      if (out === null) throw new ShapeProblem(path, `${describe(layer)}: input shapes ${fmt(inputs[0]!)} and ${fmt(inputs[1]!)} do not broadcast`);
      return out;
    }
    case 'matmul': {
      const [a, b] = inputs as [Shape, Shape];
      if (a.length < 1 || b.length < 1) throw new ShapeProblem(path, `${describe(layer)}: matmul needs inputs of rank ≥ 1`);
      const a2 = a.length === 1 ? [1, a[0]!] : a;
      const b2 = b.length === 1 ? [b[0]!, 1] : b;
      if (a2[a2.length - 1] !== b2[b2.length - 2]) throw new ShapeProblem(path, `${describe(layer)}: ${fmt(a)} × ${fmt(b)}: inner dimensions differ`);
      const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
      if (batch === null) throw new ShapeProblem(path, `${describe(layer)}: batch axes of ${fmt(a)} and ${fmt(b)} do not broadcast`);
      return [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]!]), ...(b.length === 1 ? [] : [b2[b2.length - 1]!])];
    }
    case 'constant':
      return [...layer.shape];
    case 'concat': {
      const rank = shape.length;
      const axis = normAxis(layer.axis, rank, layer, path);
      let total = 0;
      inputs.forEach((s, i) => {
        if (s.length !== rank || s.some((d, j) => j !== axis && d !== shape[j])) {
          throw new ShapeProblem(path, `${describe(layer)}: input ${i} ${fmt(s)} does not fit input 0 ${fmt(shape)} (all axes but ${axis} must agree)`);
        }
        total += s[axis]!;
      });
      return shape.map((d, j) => (j === axis ? total : d));
    }
    case 'transpose': {
      const p = layer.perm;
      if (p.length !== shape.length || [...p].sort((x, y) => x - y).some((v, i) => v !== i)) {
        throw new ShapeProblem(path, `${describe(layer)}: perm [${p}] is not a permutation of the ${shape.length} axes of ${fmt(shape)}`);
      }
      return p.map((i) => shape[i]!);
    }
    case 'reshape': {
      const known = layer.shape.filter((d) => d !== -1);
      const free = layer.shape.length - known.length;
      const n = size(shape);
      const k = size(known);
      if (free > 1) throw new ShapeProblem(path, `${describe(layer)}: at most one −1 in shape [${layer.shape}]`);
      if (free === 0 ? k !== n : k === 0 || n % k !== 0) {
        throw new ShapeProblem(path, `${describe(layer)}: shape [${layer.shape}] does not hold the ${n} elements of ${fmt(shape)}`);
      }
      return layer.shape.map((d) => (d === -1 ? n / k : d));
    }
    case 'slice': {
      const axis = normAxis(layer.axis, shape.length, layer, path);
      const len = sliceLength(shape[axis]!, layer.start, layer.end, layer.step);
      return shape.map((d, j) => (j === axis ? len : d));
    }
    case 'pad': {
      if (layer.pads.length !== shape.length) throw new ShapeProblem(path, `${describe(layer)}: ${layer.pads.length} pad pairs for a rank-${shape.length} input ${fmt(shape)}`);
      if (layer.mode === 'reflect' && layer.pads.some(([a, b], i) => Math.max(a, b) >= shape[i]!)) {
        throw new ShapeProblem(path, `${describe(layer)}: reflect pads must be smaller than the axis they pad (${fmt(shape)})`);
      }
      return shape.map((d, i) => d + layer.pads[i]![0] + layer.pads[i]![1]);
    }
  }
}

/**
 * The output shape of one parsed, non-residual layer from its input shapes (what `ModelSpec`
 * parsing checks), or an Error saying why the layer cannot take them. Importers use it to
 * follow shapes as they emit layers.
 */
export function layerOutputShape(layer: Exclude<Layer, { kind: 'residual' }>, inputs: Shape[]): Shape {
  const { min, max } = arity(layer);
  if (inputs.length < min || inputs.length > max) throw new Error(`${describe(layer)} takes ${min === max ? min : `${min}+`} input(s), got ${inputs.length}`);
  try {
    return layerShape(layer, inputs, []);
  } catch (e) {
    if (e instanceof ShapeProblem) throw new Error(e.message, { cause: e });
    throw e;
  }
}

/** Python/ONNX slice bounds: the clamped start and the element count for `start:end:step` on an axis of n. */
export function sliceBounds(n: number, start: number, end: number, step: number): { begin: number; count: number } {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  const norm = (v: number): number => (v < 0 ? v + n : v);
  if (step > 0) {
    const b = clamp(norm(start), 0, n);
    const e = clamp(norm(end), 0, n);
    return { begin: b, count: Math.max(0, Math.ceil((e - b) / step)) };
  }
  const b = clamp(norm(start), -1, n - 1);
  const e = clamp(norm(end), -1, n - 1);
  return { begin: b, count: Math.max(0, Math.ceil((b - e) / -step)) };
}

function sliceLength(n: number, start: number, end: number, step: number): number {
  return sliceBounds(n, start, end, step).count;
}

function walk(layers: readonly Layer[], input: Shape, base: PathKey[], topLevel: boolean): { traces: ShapeTrace[]; output: Shape } {
  const traces: ShapeTrace[] = [];
  const names = new Map<string, number>();
  let shape = input;
  layers.forEach((layer, i) => {
    const path = [...base, i];
    if (layer.inputs !== undefined && !topLevel) {
      throw new ShapeProblem([...path, 'inputs'], `${describe(layer)}: inputs can only be named on top-level layers (a residual block's layers form a chain)`);
    }
    // Resolve inputs: names of earlier top-level layers, or the previous layer.
    let sources: number[];
    if (layer.kind === 'constant') sources = [];
    else if (layer.inputs === undefined) sources = [i - 1];
    else {
      sources = layer.inputs.map((ref, j) => {
        if (ref === INPUT_REF) return -1;
        const at = names.get(ref);
        if (at === undefined) {
          const later = layers.findIndex((l, k) => k >= i && l.name === ref);
          throw new ShapeProblem([...path, 'inputs', j], later >= 0 ? `input '${ref}' is layer ${later}, which does not come before this layer` : `no earlier layer is named '${ref}'`);
        }
        return at;
      });
    }
    const { min, max } = arity(layer);
    if (sources.length < min || sources.length > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new ShapeProblem(path, `${describe(layer)} takes ${want} input(s), got ${sources.length}${layer.inputs === undefined ? ' (name them in inputs)' : ''}`);
    }
    const inputs = sources.map((s) => (s < 0 ? input : traces[s]!.output));
    let output: Shape;
    const trace: Partial<ShapeTrace> = {};
    if (layer.kind === 'residual') {
      const body = walk(layer.body, inputs[0]!, [...path, 'body'], false);
      const shortcut = walk(layer.shortcut, inputs[0]!, [...path, 'shortcut'], false);
      if (!sameShape(body.output, shortcut.output)) {
        throw new ShapeProblem(
          path,
          `${describe(layer)}: body output ${fmt(body.output)} differs from shortcut output ${fmt(shortcut.output)}${
            layer.shortcut.length === 0 ? ' (identity shortcut)' : ''
          }`,
        );
      }
      output = body.output;
      trace.body = body.traces;
      trace.shortcut = shortcut.traces;
    } else {
      output = layerShape(layer, inputs, path);
    }
    if (layer.name !== undefined) {
      if (names.has(layer.name)) throw new ShapeProblem([...path, 'name'], `layer name '${layer.name}' is already used by layer ${names.get(layer.name)}`);
      if (topLevel) names.set(layer.name, i);
    }
    traces.push({
      path: joinPath(path),
      kind: layer.kind,
      ...(layer.name === undefined ? {} : { name: layer.name }),
      input: inputs[0] ?? [],
      inputs,
      ...(topLevel ? { sources } : {}),
      output,
      ...trace,
    });
    shape = output;
  });
  return { traces, output: shape };
}

/** Shape check without throwing; used by the ModelSpec schema to report a path-tagged issue. */
export function checkShapes(spec: ModelSpec): ShapeCheck {
  const input = inputShapeOf(spec.input);
  try {
    const { traces, output } = walk(spec.layers, input, ['layers'], true);
    // Without classes any output goes, even the input itself (an imported identity graph).
    if (spec.classes === undefined) return { ok: true, traces, output };
    const expected: Shape = [spec.classes];
    if (!sameShape(output, expected)) {
      const last = spec.layers.length - 1;
      const lastLayer = spec.layers[last];
      if (lastLayer === undefined) {
        return { ok: false, path: ['layers'], message: `no layers: the input ${fmt(input)} must end as ${fmt(expected)} (classes)` };
      }
      return {
        ok: false,
        path: ['layers', last],
        message:
          output.length === 1
            ? `the last layer (${describe(lastLayer)}) outputs ${output[0]} features but classes is ${spec.classes}`
            : `the last layer (${describe(lastLayer)}) outputs ${fmt(output)}; the model must end with ${fmt(expected)} (flatten or globalAvgPool, then a linear layer with ${spec.classes} units), or leave classes out for a feature-map output`,
      };
    }
    return { ok: true, traces, output };
  } catch (e) {
    if (e instanceof ShapeProblem) return { ok: false, path: e.path, message: e.message };
    throw e;
  }
}

/**
 * Input and output shapes of every layer (residual branches included), or a
 * SpikeliteConfigError naming the layer path, kind/name and the shape problem.
 * Call it on a parsed spec (defaults filled); `source` names the spec in the message.
 */
export function traceShapes(spec: ModelSpec, source = 'model'): ShapeTrace[] {
  const result = checkShapes(spec);
  if (!result.ok) throw new SpikeliteConfigError(source, [{ path: joinPath(result.path), message: result.message }]);
  return result.traces;
}

/** Output shape of each top-level layer, in order. Throws like `traceShapes`. */
export function inferShapes(spec: ModelSpec, source = 'model'): Shape[] {
  return traceShapes(spec, source).map((t) => t.output);
}

/** The network's output shape (the last layer's). */
export function outputShape(spec: ModelSpec, source = 'model'): Shape {
  const traces = traceShapes(spec, source);
  return traces[traces.length - 1]?.output ?? inputShapeOf(spec.input);
}
