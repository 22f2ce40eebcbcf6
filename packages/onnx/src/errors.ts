/** The one error type of an import: it names the file and, when one is to blame, the node. */
export class OnnxImportError extends Error {
  override name = 'OnnxImportError';
  constructor(
    message: string,
    /** The file path, or the label given for bytes. */
    readonly file: string,
    /** The ONNX node's name (or `#index` when it has none). */
    readonly node?: string,
    readonly opType?: string,
    /**
     * 'batch-axis': the graph works across its first axis (a transpose, reshape or concat of it),
     * so it cannot be imported with that axis as the batch; it may import with `batch: 'none'`.
     */
    readonly code?: 'batch-axis',
  ) {
    super(message);
  }
}

/** The one error type of an SNN export: it names the layer (spec path) when one is to blame. */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
  constructor(
    message: string,
    /** The layer's spec path (e.g. `layers.3`), or undefined for model-wide problems (encoding). */
    readonly layer?: string,
  ) {
    super(message);
  }
}
