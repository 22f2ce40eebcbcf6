/** A misuse of an encoder (bad timestep, images out of range, missing batch seed, …). */
export class EncodingError extends Error {
  override name = 'EncodingError';
}
