// @spikelite/onnx/bench: BENCH.md's converted-SNN inference workloads, callable (the CLI's `bench`).
export { benchConvertedInference, CONVERTED_WORKLOADS } from './converted.js';
export type { ConvertedInferOptions, ConvertedInferResult, ConvertedWorkload, RuntimeFigures } from './converted.js';
