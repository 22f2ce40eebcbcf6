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
  ) {
    super(message);
  }
}
