/**
 * Every problem with a dataset file or a data option surfaces as a DataError whose
 * message names the file and what is wrong, so the CLI can print it as one line.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  /** The file or directory at fault, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
  }
}

/** A DataError whose message starts with the file: `<file>: <problem>`. */
export function fileError(file: string, problem: string, cause?: unknown): DataError {
  return new DataError(`${file}: ${problem}`, { file, cause });
}
