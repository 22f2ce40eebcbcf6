/**
 * Two more wasm kernels where tfjs-backend-wasm is slow (measured, DESIGN.md "Engine"):
 *  - BatchMatMul with transposeA or transposeB runs ~15x slower than transposing the operand
 *    first and multiplying plainly (a dense layer's backward pass uses both forms);
 *  - AvgPoolGrad for non-overlapping windows (pool = stride, no padding: every model here)
 *    is a plain loop ~5x slower than spreading dy with one broadcast multiply.
 * Anything else goes to the backend's own kernel.
 */
import { backend_util, type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { WasmOps } from './wasm-ops.js';

import { callBuiltin } from './builtin.js';

function swapLast(x: TensorInfo, ops: WasmOps): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  [perm[n - 2], perm[n - 1]] = [perm[n - 1]!, perm[n - 2]!];
  return ops.transpose(x, perm);
}

function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: KernelBackend;
  attrs: { transposeA: boolean; transposeB: boolean };
}): TensorInfo {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs;
  if (!transposeA && !transposeB) return callBuiltin('BatchMatMul', args as unknown as Parameters<KernelFunc>[0]);
  const ops = new WasmOps(args.backend);
  const a2 = transposeA ? swapLast(a, ops) : a;
  const b2 = transposeB ? swapLast(b, ops) : b;
  const out = callBuiltin('BatchMatMul', {
    inputs: { a: a2, b: b2 },
    backend: args.backend,
    attrs: { transposeA: false, transposeB: false },
  } as unknown as Parameters<KernelFunc>[0]);
  if (a2 !== a) ops.release(a2);
  if (b2 !== b) ops.release(b2);
  return out;
}

function avgPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo };
  backend: KernelBackend;
  attrs: { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
}): TensorInfo {
  const { dy, input } = args.inputs;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { padInfo } = info;
  const tiles =
    info.filterHeight === info.strideHeight &&
    info.filterWidth === info.strideWidth &&
    padInfo.top === 0 && padInfo.bottom === 0 && padInfo.left === 0 && padInfo.right === 0 &&
    info.outHeight * info.strideHeight === info.inHeight &&
    info.outWidth * info.strideWidth === info.inWidth;
  if (!tiles) return callBuiltin('AvgPoolGrad', args as unknown as Parameters<KernelFunc>[0]);
  // dx[n, i, j, c] = dy[n, i / ph, j / pw, c] / (ph·pw): a broadcast over two inserted axes.
  const ops = new WasmOps(args.backend);
  const [n, ho, wo, c] = dy.shape as [number, number, number, number];
  const [ph, pw] = [info.filterHeight, info.filterWidth];
  const spread = ops.reshape(dy, [n, ho, 1, wo, 1, c]);
  const scale = ops.constant([1, 1, ph, 1, pw, 1], 1 / (ph * pw));
  const tiled = ops.multiply(spread, scale);
  const dx = ops.reshape(tiled, [n, ho * ph, wo * pw, c]);
  ops.release(spread, scale, tiled);
  return dx;
}

export const wasmMatMulPoolKernels: KernelConfig[] = [
  { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul as unknown as KernelFunc },
  { kernelName: 'AvgPoolGrad', backendName: 'wasm', kernelFunc: avgPoolGrad as unknown as KernelFunc },
];
