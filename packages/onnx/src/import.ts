/**
 * ONNX → spikelite: a ModelSpec (NHWC, a graph of layers) and its weights, for image
 * classifiers and backbones as PyTorch, paddle2onnx, tf2onnx and others export them. The walker
 * and op handlers live in ./import/; this module reads the file and names it in every error.
 */
import { readFileSync } from 'node:fs';
import { OnnxImportError } from './errors.js';
import { importModel, type ImportOptions, type OnnxImport } from './import/importer.js';
import { decodeModel, type ModelProto } from './proto.js';

export { SUPPORTED_OPSETS } from './import/importer.js';
export { SUPPORTED_OPS } from './import/ops/index.js';
export type { ImportOptions, OnnxImport } from './import/importer.js';
export type { ImportReport } from './import/report.js';

function readSource(source: string | Uint8Array, label: string): Uint8Array {
  if (typeof source !== 'string') return source;
  try {
    return readFileSync(source);
  } catch (e) {
    throw new OnnxImportError(`${label}: cannot read the file (${e instanceof Error ? e.message : String(e)})`, label);
  }
}

/** Decode ONNX bytes, naming the file in the error. */
export function readModel(source: string | Uint8Array, label = typeof source === 'string' ? source : '<bytes>'): ModelProto {
  const bytes = readSource(source, label);
  if (bytes.length === 0) throw new OnnxImportError(`${label}: the file is empty`, label);
  try {
    return decodeModel(bytes);
  } catch (e) {
    throw new OnnxImportError(`${label}: not a readable ONNX model (${e instanceof Error ? e.message : String(e)}); the file may be truncated or not ONNX`, label);
  }
}

/**
 * Import an ONNX model (a path or the file's bytes). Throws one OnnxImportError for unreadable
 * files and anything outside the supported subset, naming the node, its op and why.
 */
export function importOnnx(source: string | Uint8Array, options: ImportOptions = {}): OnnxImport {
  const label = options.label ?? (typeof source === 'string' ? source : '<bytes>');
  const model = readModel(source, label);
  try {
    return importModel(model, source, label, options);
  } catch (e) {
    if (e instanceof OnnxImportError) throw e;
    // A decoded-but-corrupt file can trip anything (missing fields, bad tensors): still one named error.
    throw new OnnxImportError(`${label}: ${e instanceof Error ? e.message : String(e)}`, label);
  }
}
