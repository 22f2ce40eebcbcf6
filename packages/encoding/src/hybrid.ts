import type { HybridEncoding } from '@spikelite/schemas';
import { temporalCode } from './temporal.js';
import type { EncodingDefinition } from './types.js';

/**
 * Hybrid (SPEC §1b): the analog image (normalised if asked) for steps 0..analogSteps−1, then
 * the temporal code of the raw image. The schema requires temporal.tMin ≥ analogSteps, so
 * no temporal spike falls on an analog step.
 */
export const hybridEncoding: EncodingDefinition<HybridEncoding> = {
  kind: 'hybrid',
  stochastic: () => false,
  create(spec, { timesteps }) {
    const temporal = temporalCode(spec.temporal, timesteps);
    const isAnalog = (t: number): boolean => t < spec.analogSteps;
    return {
      isAnalog,
      step: (input, t) => (isAnalog(t) ? input.analog() : temporal.step(input, t)),
    };
  },
};
