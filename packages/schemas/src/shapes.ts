/**
 * Shape inference for a ModelSpec. Sizes follow tfjs/ONNX semantics:
 * - conv 'same':  out = ceil(in / stride)
 * - conv 'valid': out = floor((in − ((k − 1)·d + 1)) / stride) + 1
 * - conv pads:    out = floor((in + before + after − ((k − 1)·d + 1)) / stride) + 1
 * - pool 'same':  out = ceil(in / stride)
 * - pool 'valid': out = floor((in − k) / stride) + 1, or with ceilMode ceil(…) + 1, where
 *   (PyTorch) a last window that would start past the input is dropped.
 */
import { pair } from './common.js';
import type { Conv2dLayer, Layer, ModelSpec, AvgPoolLayer, MaxPoolLayer } from './model.js';
import { SpikeliteConfigError, joinPath } from './errors.js';

/** `[height, width, channels]` (NHWC without the batch) or `[features]`. */
export type Shape = [height: number, width: number, channels: number] | [features: number];

/** Input and output shape of one layer; residual layers also trace their branches. */
export interface ShapeTrace {
  /** Dotted path in the spec, e.g. `layers.2` or `layers.2.body.0`. */
  path: string;
  kind: Layer['kind'];
  name?: string;
  input: Shape;
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

function describe(layer: Layer): string {
  return layer.name === undefined ? layer.kind : `${layer.kind} '${layer.name}'`;
}

function need3d(layer: Layer, input: Shape, path: PathKey[]): [number, number, number] {
  if (input.length !== 3) {
    throw new ShapeProblem(
      path,
      `${describe(layer)} expects a 3-D [height, width, channels] input, got ${fmt(input)}`,
    );
  }
  return input;
}

function convAxis(
  size: number,
  k: number,
  stride: number,
  dilation: number,
  pad: 'same' | 'valid' | readonly [number, number],
): number {
  if (pad === 'same') return Math.ceil(size / stride);
  const extent = (k - 1) * dilation + 1;
  const padded = pad === 'valid' ? size : size + pad[0] + pad[1];
  return Math.floor((padded - extent) / stride) + 1;
}

function convShape(layer: Conv2dLayer, input: Shape, path: PathKey[]): Shape {
  const [h, w, c] = need3d(layer, input, path);
  const [kh, kw] = pair(layer.kernelSize);
  const [sh, sw] = pair(layer.strides);
  const [dh, dw] = pair(layer.dilations);
  const g = layer.groups;
  if (c % g !== 0) {
    throw new ShapeProblem(path, `${describe(layer)}: groups ${g} does not divide the ${c} input channels`);
  }
  if (layer.filters % g !== 0) {
    throw new ShapeProblem(path, `${describe(layer)}: groups ${g} does not divide filters ${layer.filters}`);
  }
  const p = layer.padding;
  const padH = typeof p === 'string' ? p : ([p.top, p.bottom] as const);
  const padW = typeof p === 'string' ? p : ([p.left, p.right] as const);
  const oh = convAxis(h, kh, sh, dh, padH);
  const ow = convAxis(w, kw, sw, dw, padW);
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

function poolAxis(size: number, k: number, stride: number, padding: 'valid' | 'same', ceilMode: boolean): number {
  if (padding === 'same') return Math.ceil(size / stride);
  if (!ceilMode) return Math.floor((size - k) / stride) + 1;
  let out = Math.ceil((size - k) / stride) + 1;
  // PyTorch: the last window must start inside the input.
  if ((out - 1) * stride >= size) out -= 1;
  return out;
}

function poolShape(layer: AvgPoolLayer | MaxPoolLayer, input: Shape, path: PathKey[]): Shape {
  const [h, w, c] = need3d(layer, input, path);
  const [kh, kw] = pair(layer.poolSize);
  const [sh, sw] = pair(layer.strides ?? layer.poolSize);
  if (layer.padding === 'valid' && (kh > h || kw > w)) {
    throw new ShapeProblem(path, `${describe(layer)}: pool ${hw(kh, kw)} is bigger than its input ${hw(h, w)}`);
  }
  return [poolAxis(h, kh, sh, layer.padding, layer.ceilMode), poolAxis(w, kw, sw, layer.padding, layer.ceilMode), c];
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function walk(layers: readonly Layer[], input: Shape, base: PathKey[]): { traces: ShapeTrace[]; output: Shape } {
  const traces: ShapeTrace[] = [];
  let shape = input;
  layers.forEach((layer, i) => {
    const path = [...base, i];
    let output: Shape;
    const trace: Partial<ShapeTrace> = {};
    switch (layer.kind) {
      case 'conv2d':
        output = convShape(layer, shape, path);
        break;
      case 'avgPool':
      case 'maxPool':
        output = poolShape(layer, shape, path);
        break;
      case 'globalAvgPool':
        output = [need3d(layer, shape, path)[2]];
        break;
      case 'flatten':
        output = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'linear':
        if (shape.length !== 1) {
          throw new ShapeProblem(
            path,
            `${describe(layer)} expects a 1-D [features] input, got ${fmt(shape)}; add a flatten or globalAvgPool layer before it`,
          );
        }
        output = [layer.units];
        break;
      case 'batchNorm':
      case 'dropout':
      case 'activation':
        output = shape;
        break;
      case 'residual': {
        const body = walk(layer.body, shape, [...path, 'body']);
        const shortcut = walk(layer.shortcut, shape, [...path, 'shortcut']);
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
        break;
      }
    }
    traces.push({
      path: joinPath(path),
      kind: layer.kind,
      ...(layer.name === undefined ? {} : { name: layer.name }),
      input: shape,
      output,
      ...trace,
    });
    shape = output;
  });
  return { traces, output: shape };
}

/** Shape check without throwing; used by the ModelSpec schema to report a path-tagged issue. */
export function checkShapes(spec: ModelSpec): ShapeCheck {
  const input: Shape = [spec.input.height, spec.input.width, spec.input.channels];
  try {
    const { traces, output } = walk(spec.layers, input, ['layers']);
    const expected: Shape = [spec.classes];
    if (!sameShape(output, expected)) {
      const last = spec.layers.length - 1;
      const lastLayer = spec.layers[last];
      if (lastLayer === undefined) {
        return {
          ok: false,
          path: ['layers'],
          message: `no layers: the input ${fmt(input)} must end as ${fmt(expected)} (classes)`,
        };
      }
      return {
        ok: false,
        path: ['layers', last],
        message:
          output.length === 1
            ? `the last layer (${describe(lastLayer)}) outputs ${output[0]} features but classes is ${spec.classes}`
            : `the last layer (${describe(lastLayer)}) outputs ${fmt(output)}; the model must end with ${fmt(expected)} (flatten or globalAvgPool, then a linear layer with ${spec.classes} units)`,
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

/** Output shape of each top-level layer, in order: `[h, w, c]` or `[features]`. Throws like `traceShapes`. */
export function inferShapes(spec: ModelSpec, source = 'model'): Shape[] {
  return traceShapes(spec, source).map((t) => t.output);
}
