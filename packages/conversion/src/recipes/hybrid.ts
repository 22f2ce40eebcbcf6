/**
 * `hybrid` (single-spike hybrid input encoding, SPEC §1): NOT YET a conversion recipe. The
 * method exists as `spikelite train --method hybrid` (apps/cli/src/methods/hybrid.ts, an app,
 * which this library may not import, still being written); moving its single-spike neurons,
 * hybrid encoder and spike-time fine-tune into a recipe is left for a later issue.
 */
import type { RecipeDefinition } from './types.js';

export const HYBRID_NOT_YET =
  "the hybrid recipe is not implemented yet for conversion (use 'spikelite train --method hybrid', or convert with threshold, fs or diet)";

export const hybridRecipe: RecipeDefinition<'hybrid'> = {
  kind: 'hybrid',
  about: 'not yet: single-spike hybrid encoding (use spikelite train --method hybrid)',
  timesteps: (r) => r.timesteps,
  reportedSteps: (r) => r.timesteps,
  check: () => ({ ok: true }),
  precondition: () => HYBRID_NOT_YET,
  calibration: () => null,
  plan() {
    throw new Error(HYBRID_NOT_YET);
  },
  input: (r) => ({ analogSteps: 1, inputSpikesPerElement: r.timesteps > 1 ? 1 : 0 }),
  gradedSpikes: false,
};
