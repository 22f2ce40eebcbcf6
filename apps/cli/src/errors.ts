/** An error the user caused (bad flag, file or value): printed as one line, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
}
