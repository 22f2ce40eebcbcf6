/**
 * Thin wrappers that call the wasm backend's own kernels on TensorInfos from inside another
 * kernel. Kernels receive TensorInfos, not Tensors, so the tf.* ops cannot be used there;
 * every intermediate made here must be released with {@link WasmOps.release}.
 */
import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { builtinKernel } from './builtin.js';

export class WasmOps {
  constructor(readonly backend: KernelBackend) {}

  // The backend's own kernels: spikelite's replacements (e.g. the Conv2D memo) are for
  // calls through the engine, not for intermediates made inside other kernels.
  private run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
    return builtinKernel(kernelName)({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
  }

  release(...infos: TensorInfo[]): void {
    for (const info of infos) this.backend.disposeData(info.dataId);
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** A float32 tensor of `shape` filled with `value` (the wasm backend's `makeOutput`). */
  constant(shape: number[], value: number): TensorInfo {
    const size = shape.reduce((a, b) => a * b, 1);
    const wasm = this.backend as unknown as {
      makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
    };
    return wasm.makeOutput(shape, 'float32', undefined, new Float32Array(size).fill(value));
  }

  multiply(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('Multiply', { a, b }, {});
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  /** NHWC convolution with explicit padding [[0,0],[top,bottom],[left,right],[0,0]]. */
  conv2d(
    x: TensorInfo,
    filter: TensorInfo,
    strides: [number, number],
    dilations: [number, number],
    pads: { top: number; bottom: number; left: number; right: number },
  ): TensorInfo {
    return this.run(
      'Conv2D',
      { x, filter },
      {
        strides,
        dilations,
        pad: [[0, 0], [pads.top, pads.bottom], [pads.left, pads.right], [0, 0]],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
  }
}
