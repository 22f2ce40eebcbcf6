// @spikelite/onnx: import pretrained ANNs from ONNX into a ModelSpec and weights, check them
// against onnxruntime, summarise them; export SNNs to ONNX and check them against spikelite.

export { importOnnx, readModel, SUPPORTED_OPS, SUPPORTED_OPSETS } from './import.js';
export type { ImportOptions, ImportReport, OnnxImport } from './import.js';
export { OnnxImportError, OnnxExportError } from './errors.js';
export { runOnnx, checkParity, networkFromImport, forwardImported, nonFiniteWeights } from './parity.js';
export type { NonFiniteWeight, OnnxRunOptions, OnnxRunResult, ParityImages, ParityOptions, ParityResult } from './parity.js';
export { OnnxReference, nhwcToNchw } from './reference.js';
export type { NhwcImages, ReferenceOptions, ReferenceOutput } from './reference.js';
export { summarizeImport, formatSummary } from './summary.js';
export type { ImportSummary, LayerSummary } from './summary.js';
export { encodeModel } from './proto.js';
export type { ModelInit } from './proto.js';
export { exportSnnToOnnx, EXPORT_OPSET, EXPORTABLE_ENCODINGS, EXPORTABLE_NEURONS, SNN_EXPORT_INPUT, SNN_EXPORT_OUTPUTS } from './export/snn.js';
export type { SnnExportOptions } from './export/snn.js';
export { SnnOnnxSession, checkSnnParity, forwardSnnNchw } from './export/run.js';
export type { SnnOnnxOutputs, SnnForwardOutputs, SnnParityOptions, SnnParityResult } from './export/run.js';
