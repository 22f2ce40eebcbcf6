import type { DirectEncoding } from '@spikelite/schemas';
import type { EncodingDefinition } from './types.js';

/** DIET (SPEC §4b): the analog image (normalised if asked) enters layer 1 at every step. */
export const directEncoding: EncodingDefinition<DirectEncoding> = {
  kind: 'direct',
  stochastic: () => false,
  create: () => ({
    isAnalog: () => true,
    step: (input) => input.analog(),
  }),
};
