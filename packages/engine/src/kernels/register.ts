import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { wasmConvGradKernels } from './conv2d-grads.js';
import { wasmDepthwiseGradKernels } from './depthwise-grads.js';
import { wasmConv2dMemoKernel, wasmIdentityKernel } from './derived.js';
import { rememberBuiltin } from './builtin.js';
import { wasmMatMulPoolKernels } from './matmul-pool-grads.js';

/** Every kernel spikelite installs on top of a backend, by backend. */
const KERNELS: Record<string, KernelConfig[]> = {
  wasm: [...wasmConvGradKernels, ...wasmMatMulPoolKernels, ...wasmDepthwiseGradKernels, wasmIdentityKernel, wasmConv2dMemoKernel],
};

/** The backend's own kernels that ours replaced, kept so benchmarks can compare. */
const replaced = new Map<string, KernelConfig>();

function swap(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName) !== undefined) {
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

/**
 * Install spikelite's kernels for `backendName`, replacing the backend's own where it has
 * one. Idempotent. Returns the names of the kernels installed.
 */
export function registerSpikeliteKernels(backendName: string): string[] {
  const configs = KERNELS[backendName] ?? [];
  for (const config of configs) {
    const existing = getKernel(config.kernelName, backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) {
      replaced.set(`${backendName}/${config.kernelName}`, existing);
      // Our wrappers fall back to the backend's own kernel for the cases they do not speed up.
      rememberBuiltin(config.kernelName, existing.kernelFunc);
    }
    swap(config);
  }
  return configs.map((c) => c.kernelName);
}

/**
 * Put back the backend's own kernels that spikelite replaced (kernels the backend lacks
 * stay installed). For benchmarks that measure what spikelite's kernels gain.
 */
export function restoreBuiltinKernels(backendName: string): string[] {
  const restored: string[] = [];
  for (const config of KERNELS[backendName] ?? []) {
    const original = replaced.get(`${backendName}/${config.kernelName}`);
    if (original === undefined) continue;
    swap(original);
    restored.push(config.kernelName);
  }
  return restored;
}
