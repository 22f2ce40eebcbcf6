export { initEngine, backendFromEnv, currentBackend, BACKENDS, EngineError } from './backend.js';
export type { BackendName, EngineInfo, EngineOptions } from './backend.js';
export { registerSpikeliteKernels, restoreBuiltinKernels } from './kernels/register.js';
export { createRng, rngFromState, shuffleInPlace } from './rng.js';
export type { Rng, RngState } from './rng.js';
