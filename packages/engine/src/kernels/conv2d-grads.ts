/**
 * Convolution gradients for the wasm backend, built from its fast forward convolution.
 *
 * tfjs-backend-wasm has no Conv2DBackpropFilter at all, and its Conv2DBackpropInput is a
 * plain loop about 7x slower than a forward convolution of the same size (DESIGN.md, Engine).
 * Both gradients are themselves convolutions:
 *   dx = conv(zero-inserted dy, filter rotated 180° with in/out channels swapped)
 *   dW = conv(x with batch and channels swapped, dy as the filter, dilated by the stride)
 * so they run on XNNPACK through the wasm Conv2D kernel.
 */
import {
  backend_util,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { flippedTransposedFilter } from './derived.js';
import { eventFilterGrad } from './spike-conv.js';
import { WasmOps } from './wasm-ops.js';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: ConvGradAttrs,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`spikelite wasm conv gradients support NHWC only, got ${attrs.dataFormat}`);
  }
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * Spread dy so that consecutive outputs sit `stride` apart (zeros between), giving the
 * gradient a stride-1 convolution. Returns dy itself when both strides are 1.
 */
function zeroInsert(ops: WasmOps, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape as [number, number, number, number];
  const r6 = ops.reshape(dy, [n, h, 1, w, 1, c]);
  const padded = ops.pad(r6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  const flat = ops.reshape(padded, [n, h * sh, w * sw, c]);
  const out = ops.slice(flat, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
  ops.release(r6, padded, flat);
  return out;
}

export function conv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: KernelBackend;
  attrs: ConvGradAttrs & { inputShape: number[] };
}): TensorInfo {
  const { dy, filter } = args.inputs;
  const { inputShape } = args.attrs;
  const ops = new WasmOps(args.backend);
  const info = convInfo(inputShape, filter.shape, args.attrs);
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const { top, left } = info.padInfo;
  if (top > kh - 1 || left > kw - 1) {
    throw new Error(`spikelite conv2dBackpropInput: padding ${top}/${left} larger than kernel-1 is not supported`);
  }

  let spread = zeroInsert(ops, dy, info.strideHeight, info.strideWidth);
  // Rows of x past the last window get no gradient: pad them, or trim dy if it overhangs.
  let bottom = info.inHeight + top - spread.shape[1]!;
  let right = info.inWidth + left - spread.shape[2]!;
  if (bottom < 0 || right < 0) {
    const trimmed = ops.slice(spread, [0, 0, 0, 0], [
      spread.shape[0]!,
      spread.shape[1]! + Math.min(bottom, 0),
      spread.shape[2]! + Math.min(right, 0),
      spread.shape[3]!,
    ]);
    if (spread !== dy) ops.release(spread);
    spread = trimmed;
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }

  const swapped = flippedTransposedFilter(args.backend, filter);
  const dx = ops.conv2d(spread, swapped, [1, 1], [1, 1], {
    top: kh - 1 - top,
    bottom,
    left: kw - 1 - left,
    right,
  });
  if (spread !== dy) ops.release(spread);
  return dx;
}

/** Input channels up to which dW runs through the event kernel even for dense inputs. */
export const EVENT_FILTER_MAX_CHANNELS = 8;

export function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: ConvGradAttrs & { filterShape: number[] };
}): TensorInfo {
  const { x, dy } = args.inputs;
  const { filterShape } = args.attrs;
  const info = convInfo(x.shape, filterShape, args.attrs);
  // Few input channels (an image's 1 or 3): the convolution form below is a GEMM with a
  // tiny output and a huge packed "filter"; the event kernel over every input value is ~4x
  // faster (engine bench, dW rows of the crossover table).
  if (info.inChannels <= EVENT_FILTER_MAX_CHANNELS) {
    const viaEvents = eventFilterGrad(args.backend, x, dy, info, filterShape);
    if (viaEvents !== null) return viaEvents;
  }
  const ops = new WasmOps(args.backend);
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const { top, left } = info.padInfo;
  const [n, h, w, c] = x.shape as [number, number, number, number];

  // Extent of dy when spread by the stride; it plays the role of a dilated filter.
  const extentH = (info.outHeight - 1) * sh + 1;
  const extentW = (info.outWidth - 1) * sw + 1;
  let bottom = kh - 1 + extentH - h - top;
  let right = kw - 1 + extentW - w - left;

  // Trailing rows/cols of x that no window reaches are dropped (negative padding).
  let xUsed = x;
  if (bottom < 0 || right < 0) {
    xUsed = ops.slice(x, [0, 0, 0, 0], [n, h + Math.min(bottom, 0), w + Math.min(right, 0), c]);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const xT = ops.transpose(xUsed, [3, 1, 2, 0]); // [C, H, W, N]: channels act as the batch
  const dyT = ops.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]: dy acts as the filter
  const out = ops.conv2d(xT, dyT, [1, 1], [sh, sw], { top, bottom, left, right }); // [C, kh, kw, Co]
  const dW = ops.transpose(out, [1, 2, 0, 3]);
  ops.release(xT, dyT, out);
  if (xUsed !== x) ops.release(xUsed);
  return dW;
}

export const wasmConvGradKernels: KernelConfig[] = [
  {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: conv2dBackpropInput as unknown as KernelConfig['kernelFunc'],
  },
  {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
  },
];
