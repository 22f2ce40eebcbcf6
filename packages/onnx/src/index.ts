// @spikelite/onnx: import pretrained ANNs from ONNX into a ModelSpec and weights, check them
// against onnxruntime, and summarise them.

export { importOnnx, readModel, SUPPORTED_OPS, SUPPORTED_OPSETS } from './import.js';
export type { ImportOptions, ImportReport, OnnxImport } from './import.js';
export { OnnxImportError } from './errors.js';
export { runOnnx, checkParity, networkFromImport, forwardImported } from './parity.js';
export type { OnnxRunOptions, OnnxRunResult, ParityImages, ParityOptions, ParityResult } from './parity.js';
export { summarizeImport, formatSummary } from './summary.js';
export type { ImportSummary, LayerSummary } from './summary.js';
export { encodeModel } from './proto.js';
export type { ModelInit } from './proto.js';
