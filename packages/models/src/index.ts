export { presetSpec, describePreset, PRESET_NAMES } from './presets.js';
export type { PresetOptions } from './presets.js';
export { Network, dropoutMask } from './network.js';
export type { NetworkOptions, AnnForwardOptions } from './network.js';
export { SnnModel } from './snn.js';
export type { SnnOptions, SnnForwardOptions, SnnForwardResult } from './snn.js';
export { compileGraph, shapeSize, GRAPH_INPUT } from './graph.js';
export type { CompiledGraph, Node, NodeOf, NodeOp, Source } from './graph.js';
export { ParamStore } from './params.js';
export type { ParamInfo, ParamRole, InitScheme } from './params.js';
export { applyActivation } from './execute.js';
export { scalarActivation, erf } from './activations.js';
// The event-driven inference runtime for converted SNNs (typed-array kernels, no tfjs dispatch).
export { compileSnn, SnnRuntime, RUNTIME_CROSSOVER, RuntimeUnsupportedError, RUNTIME_MODES } from './runtime/index.js';
export type { CompileSnnOptions, SnnRunOptions, SnnRunResult, RuntimeMode, LayerKernelStats } from './runtime/index.js';
