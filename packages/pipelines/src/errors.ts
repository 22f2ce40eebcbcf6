/**
 * A run that cannot be carried out as described: a model or data reference that does not
 * resolve, a model that does not fit the data, a checkpoint that does not fit its model. The
 * message names the reference (file, preset, field); the CLI prints it as one line.
 */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
}
