export { compileSnn, SnnRuntime, RUNTIME_CROSSOVER } from './compile.js';
export type { CompileSnnOptions, SnnRunOptions, SnnRunResult } from './compile.js';
export { RuntimeUnsupportedError, RUNTIME_MODES } from './types.js';
export type { RuntimeMode, LayerKernelStats } from './types.js';
