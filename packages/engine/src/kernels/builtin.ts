/**
 * The wasm backend's own kernels, captured before spikelite replaces them (register.ts), so
 * our wrappers can fall back to them and call them from inside other kernels.
 */
import { getKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

const builtin = new Map<string, KernelFunc>();

export function rememberBuiltin(name: string, fn: KernelFunc): void {
  if (!builtin.has(name)) builtin.set(name, fn);
}

/** The backend's own kernel `name` (the registered one when spikelite did not replace it). */
export function builtinKernel(name: string, backendName = 'wasm'): KernelFunc {
  const fn = builtin.get(name) ?? getKernel(name, backendName)?.kernelFunc;
  if (fn === undefined) throw new Error(`spikelite: backend '${backendName}' has no '${name}' kernel`);
  return fn;
}

export function callBuiltin(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  return builtinKernel(name)(args) as TensorInfo;
}
