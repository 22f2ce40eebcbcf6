/** A misuse of a loss (missing input, wrong shape, label out of range, …). */
export class LossError extends Error {
  override name = 'LossError';
}
