/** How an image becomes the input of the first layer over T timesteps. Timesteps are 0-based. */
import { z } from 'zod';
import { NonNegativeInt, PositiveInt, PositiveNumber, UnitInterval } from './common.js';

/** DIET (SPEC §4b): the analog (normalized) image enters conv1 at every timestep. */
export const DirectEncoding = z.strictObject({ kind: z.literal('direct') });
export type DirectEncoding = z.infer<typeof DirectEncoding>;

/**
 * Rate coding: each pixel spikes with probability gain·|x| per step (clipped to 1).
 * `signed` is the ICLR 2020 generator (SPEC §4b): s = sign(x)·1[U(0,1) ≤ |x|], spikes in {−1, 0, 1}.
 */
export const RateEncoding = z.strictObject({
  kind: z.literal('rate'),
  // 'bernoulli' = one 0/1 draw per pixel and step (what "Poisson" generators in the papers
  // actually do, SPEC §2b/§4b); 'poisson' = a Poisson count per step, clipped to one spike.
  distribution: z.enum(['bernoulli', 'poisson']).default('bernoulli'),
  signed: z.boolean().default(false),
  gain: PositiveNumber.default(1),
});
export type RateEncoding = z.infer<typeof RateEncoding>;

/**
 * Time-to-first-spike fields. 'linear' (SPEC §1b, labelled an assumption there): with x̂ in
 * [0, 1], t_spike = tMin + floor((1 − x̂)·(T − tMin)) (0-based); a time ≥ T never spikes.
 */
export const TemporalFields = z.strictObject({
  mapping: z.enum(['linear']).default('linear'),
  // SPEC §1b: spikes start at the 2nd step (1-based t = 2), i.e. 0-based step 1.
  tMin: NonNegativeInt.default(1),
  // Pixels with intensity ≤ threshold never spike (black background stays silent).
  threshold: UnitInterval.default(0),
});
export type TemporalFields = z.infer<typeof TemporalFields>;

/** Every pixel emits at most one spike; brighter pixels spike earlier. */
export const TemporalEncoding = z.strictObject({ kind: z.literal('temporal'), ...TemporalFields.shape });
export type TemporalEncoding = z.infer<typeof TemporalEncoding>;

/**
 * Hybrid (SPEC §1b): the analog image for the first `analogSteps` steps, then temporal
 * spikes. `temporal.tMin` counts from step 0, so it must be ≥ analogSteps.
 */
export const HybridEncoding = z
  .strictObject({
    kind: z.literal('hybrid'),
    // SPEC §1b: analog pixels at t = 1 only.
    analogSteps: PositiveInt.default(1),
    temporal: TemporalFields.prefault({}),
  })
  .refine((e) => e.temporal.tMin >= e.analogSteps, {
    path: ['temporal', 'tMin'],
    message: 'temporal.tMin must be ≥ analogSteps: the first analogSteps steps carry the analog image',
  });
export type HybridEncoding = z.infer<typeof HybridEncoding>;

/**
 * Event-camera clips: the images are [N, H, W, channels·T'] clips of T' ≥ T frames, frame-major
 * (channel k·channels + c is channel c of frame k, as @spikelite/data's event datasets lay
 * them out); step t feeds frame t, [N, H, W, channels], as it is (event counts or 0/1).
 */
export const FramesEncoding = z.strictObject({
  kind: z.literal('frames'),
  // Two polarity channels (OFF, ON) per frame, as N-MNIST and DVS recordings have.
  channels: PositiveInt.default(2),
});
export type FramesEncoding = z.infer<typeof FramesEncoding>;

export const EncodingSpec = z.discriminatedUnion('kind', [DirectEncoding, RateEncoding, TemporalEncoding, HybridEncoding, FramesEncoding]);
export type EncodingSpec = z.infer<typeof EncodingSpec>;
export type EncodingSpecInput = z.input<typeof EncodingSpec>;
export type EncodingKind = EncodingSpec['kind'];
