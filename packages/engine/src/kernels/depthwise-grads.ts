/**
 * Depthwise-convolution gradients for the wasm backend, which has the forward kernel
 * (DepthwiseConv2dNative) but neither backprop kernel: training a MobileNet, MNASNet or
 * EfficientNet on wasm failed with "Kernel 'DepthwiseConv2dNativeBackpropInput' not registered".
 * Plain loops over the window (geometry from tfjs's own computeConv2DInfo, so strides,
 * dilations, 'same'/'valid'/explicit padding and the channel multiplier match the forward
 * exactly): a depthwise layer's gradient is small next to the dense convolutions around it.
 */
import { backend_util, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
interface Attrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function info(xShape: number[], filterShape: number[], a: Attrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
}

const read = (backend: KernelBackend, t: TensorInfo): Float32Array => backend.readSync(t.dataId) as Float32Array;
const output = (backend: KernelBackend, shape: number[], values: Float32Array): TensorInfo =>
  (backend as unknown as { makeOutput(s: number[], d: 'float32', o?: number, v?: Float32Array): TensorInfo }).makeOutput(shape, 'float32', undefined, values);

/**
 * Visits every (batch, output pixel, input pixel inside the window, channel, multiplier) of the
 * forward pass: `f(xIndex, wIndex, dyIndex)`.
 */
function forEachTap(c: backend_util.Conv2DInfo, f: (xi: number, wi: number, dyi: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, filterHeight: kh, filterWidth: kw } = c;
  const m = c.outChannels / C;
  const { top, left } = c.padInfo;
  for (let n = 0; n < N; n++)
    for (let y = 0; y < Ho; y++)
      for (let x = 0; x < Wo; x++)
        for (let a = 0; a < kh; a++) {
          const iy = y * c.strideHeight - top + a * c.dilationHeight;
          if (iy < 0 || iy >= H) continue;
          for (let b = 0; b < kw; b++) {
            const ix = x * c.strideWidth - left + b * c.dilationWidth;
            if (ix < 0 || ix >= W) continue;
            const xBase = ((n * H + iy) * W + ix) * C;
            const wBase = (a * kw + b) * C * m;
            const dyBase = ((n * Ho + y) * Wo + x) * C * m;
            for (let ch = 0; ch < C; ch++) for (let j = 0; j < m; j++) f(xBase + ch, wBase + ch * m + j, dyBase + ch * m + j);
          }
        }
}

export function depthwiseBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: KernelBackend; attrs: Attrs & { inputShape: number[] } }): TensorInfo {
  const { dy, filter } = args.inputs;
  const c = info(args.attrs.inputShape, filter.shape, args.attrs);
  const w = read(args.backend, filter);
  const g = read(args.backend, dy);
  const dx = new Float32Array(args.attrs.inputShape.reduce((p, q) => p * q, 1));
  forEachTap(c, (xi, wi, dyi) => (dx[xi] = dx[xi]! + g[dyi]! * w[wi]!));
  return output(args.backend, [...args.attrs.inputShape], dx);
}

export function depthwiseBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: KernelBackend; attrs: Attrs & { filterShape: number[] } }): TensorInfo {
  const { x, dy } = args.inputs;
  const c = info(x.shape, args.attrs.filterShape, args.attrs);
  const xv = read(args.backend, x);
  const g = read(args.backend, dy);
  const dw = new Float32Array(args.attrs.filterShape.reduce((p, q) => p * q, 1));
  forEachTap(c, (xi, wi, dyi) => (dw[wi] = dw[wi]! + xv[xi]! * g[dyi]!));
  return output(args.backend, [...args.attrs.filterShape], dw);
}

export const wasmDepthwiseGradKernels: KernelConfig[] = [
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput as unknown as KernelConfig['kernelFunc'] },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter as unknown as KernelConfig['kernelFunc'] },
];
