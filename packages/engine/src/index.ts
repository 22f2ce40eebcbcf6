export { initEngine, backendFromEnv, currentBackend, BACKENDS, EngineError } from './backend.js';
export type { BackendName, EngineInfo, EngineOptions } from './backend.js';
export { registerSpikeliteKernels, restoreBuiltinKernels } from './kernels/register.js';
export { clearDerivedCache, setConv2dMemo } from './kernels/derived.js';
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
// A minimal WebAssembly (SIMD) assembler for kernels that work in the wasm backend's heap.
export { wasmHeapMemory, wasmMalloc } from './wasm/heap.js';
export type { WasmBackendLike, WasmTensorInfo } from './wasm/heap.js';
export { WasmFn, assembleModule, wasmInstanceCache, OP as WASM_OP, SIMD as WASM_SIMD, I32, F32, F64, V128, uleb, sleb } from './wasm/asm.js';
export type { ValType, LoopControl, Tuple } from './wasm/asm.js';
