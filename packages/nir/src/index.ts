// @spikelite/nir: NIR (Neuromorphic Intermediate Representation) files. See README.md.

// Reading and writing.
export { readNir } from './read.js';
export type { ReadNirOptions } from './read.js';
export { writeNir, NIR_WRITE_VERSION } from './write.js';
export type { WriteNirOptions } from './write.js';
export { NirError } from './errors.js';

// The typed graph.
export { walkNodes } from './graph.js';
export type { NirDocument, NirGraph, NirNode, NirNodeType } from './graph.js';
export type {
  NirInput,
  NirOutput,
  NirAffine,
  NirLinear,
  NirScale,
  NirThreshold,
  NirDelay,
  NirI,
  NirIF,
  NirLI,
  NirLIF,
  NirCubaLI,
  NirCubaLIF,
  NirConv1d,
  NirConv2d,
  NirSumPool2d,
  NirAvgPool2d,
  NirFlatten,
  NirMetadata,
  NirMetadataValue,
} from './schema.js';
export { NIR_TYPES, nirPrimitives } from './primitives.js';
export type { NirPrimitive } from './primitives.js';
export { nirTensor, filledTensor, tensorsEqual, isTensor, NIR_DTYPES } from './tensor.js';
export type { NirTensor, NirDtype } from './tensor.js';

// NIR graphs as spikelite SNNs, and running them.
export { nirNeuronSpec, isNirNeuron, isSpikingNirNeuron, neuronShape } from './neurons.js';
export type { NirNeuronNode, NirNeuronSpecOptions } from './neurons.js';
export { nirToSpikelite } from './to-spikelite.js';
export type { NirImport, NirReadout, NirToSpikeliteOptions } from './to-spikelite.js';
export { nirNetwork, createNirSnn } from './snn.js';
export type { CreateNirSnnOptions } from './snn.js';
export { runNir, runNirImport } from './run.js';
export type { RunNirOptions, RunNirResult } from './run.js';

// spikelite SNN → NIR.
export { exportSnnToNir, NirExportError, NIR_EXPORTABLE_ENCODINGS, NIR_EXPORTABLE_NEURONS, SINGLE_SPIKE_RESET } from './export.js';
export type { ExportSnnToNirOptions, NirExport } from './export.js';

// What the CLI calls: nir run, import FILE.nir, export --format nir.
export { runNirFile, exportSnnToNirFile } from './file.js';
export type { NirFileRun, RunNirFileOptions } from './file.js';
export { parseNirCsv, formatNirRunCsv, nirRunColumns, formatFloat32 } from './csv.js';
export type { NirCsv, ParseNirCsvOptions } from './csv.js';
export { summarizeNir, formatNirSummary } from './summary.js';
export type { NirSummary, NirNodeSummary, SummarizeNirOptions } from './summary.js';
