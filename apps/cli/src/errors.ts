/** An error the user caused (bad flag, file or value): printed as one line, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
}

/**
 * `fn`'s result; a library error about the user's input (PipelineError) becomes a CliError
 * naming the flag it came from, e.g. `--checkpoint: runs/x: no such checkpoint`.
 */
export async function forFlag<T>(flag: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Error && e.name === 'PipelineError') throw new CliError(`--${flag}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Exit code of a command that ran but whose check failed (import/export parity, non-finite weights). */
export const CHECK_FAILED = 3;

/** What a command returns when its exit code is not 0: the output to print, then `line` on stderr. */
export class CommandOutcome {
  constructor(
    readonly value: unknown,
    readonly exitCode: number,
    readonly line: string,
  ) {}
}

/**
 * Errors of the libraries that are about the user's input (a config, a data or checkpoint
 * directory, an ONNX file, an unavailable backend), matched by name so that the CLI does not
 * depend on every package's error class. Anything else is a bug: stack trace, exit 1.
 */
const USER_ERROR_NAMES = new Set(['CliError', 'SpikeliteConfigError', 'DataError', 'EngineError', 'CheckpointError', 'OnnxImportError', 'OnnxExportError', 'PipelineError', 'ConversionError', 'NirError', 'NirExportError']);

export function isUserError(e: unknown): e is Error {
  return e instanceof Error && USER_ERROR_NAMES.has(e.name);
}

/** What main prints on stderr for `e` (one line for a user error) and the exit code. */
export function describeError(e: unknown): { line: string; code: 1 | 2 } {
  if (isUserError(e)) return { line: `spikelite: ${e.message.split('\n').map((s) => s.trim()).filter((s) => s !== '').join('; ')}`, code: 2 };
  const err = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return { line: `spikelite: internal error (please report it): ${err}`, code: 1 };
}
