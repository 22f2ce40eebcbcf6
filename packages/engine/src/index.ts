export { initEngine, backendFromEnv, currentBackend, BACKENDS, EngineError } from './backend.js';
export type { BackendName, EngineInfo, EngineOptions } from './backend.js';
export { registerSpikeliteKernels, restoreBuiltinKernels } from './kernels/register.js';
export { createRng, rngFromState, shuffleInPlace } from './rng.js';
export type { Rng, RngState } from './rng.js';
export { profileKernels, byCategory, categoryOf } from './bench/profile.js';
export type { KernelProfile, KernelRow, CategoryRow, PhaseMark } from './bench/profile.js';
export {
  spikeConv2d,
  spikeMatMul,
  registerSpikeKernels,
  setSpikeKernelMode,
  spikeKernelMode,
  spikeKernelStats,
  resetSpikeKernelStats,
  SPIKE_CROSSOVER,
  SPIKE_CONV_KERNEL,
  SPIKE_CONV_FILTER_KERNEL,
  SPIKE_MATMUL_KERNEL,
  SPIKE_MATMUL_FILTER_KERNEL,
} from './kernels/spike-conv.js';
export type { SpikeKernelMode, SpikeKernelStats } from './kernels/spike-conv.js';
