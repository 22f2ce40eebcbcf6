/**
 * RunReport: the JSON document `train`, `convert` and `eval` print with `--json`
 * (DESIGN "RunReport"). Every object is strict: an unknown field is an error, so the
 * contract cannot drift silently.
 */
import { z } from 'zod';
import { Backend, FiniteNumber, NonEmptyString, NonNegativeInt, NonNegativeNumber, PositiveInt, PositiveNumber, UnitInterval } from './common.js';
import { Preprocess } from './preprocess.js';

export const RUN_COMMANDS = ['train', 'convert', 'eval'] as const;
export const RunCommand = z.enum(RUN_COMMANDS);
export type RunCommand = z.infer<typeof RunCommand>;

/** A training method or a conversion recipe: ann, diet, hybrid, general, threshold, fs. */
export const METHODS = ['ann', 'diet', 'hybrid', 'general', 'threshold', 'fs'] as const;
export const Method = z.enum(METHODS);
export type Method = z.infer<typeof Method>;

/**
 * What a method's RunReport `timesteps` counts: T timesteps, K steps per FS neuron, or nothing
 * (null: the ANN itself, costed as itself). The one place the T/K label is decided.
 */
export const METHOD_STEPS: { readonly [M in Method]: 'T' | 'K' | null } = { ann: null, threshold: 'T', fs: 'K', diet: 'T', hybrid: 'T', general: 'T' };

/** Relative tolerance of the `energy.ratio = annPj / snnPj` check. */
export const RATIO_RELATIVE_TOLERANCE = 1e-9;

export const LayerSpikes = z.strictObject({
  layer: NonEmptyString,
  neurons: NonNegativeInt,
  /** Spikes per neuron per image over all timesteps. */
  spikesPerNeuron: NonNegativeNumber,
  /** spikesPerNeuron / timesteps. */
  rate: UnitInterval,
});
export type LayerSpikes = z.infer<typeof LayerSpikes>;

export const LayerEnergy = z.strictObject({
  layer: NonEmptyString,
  /** MACs of the layer in the equivalent ANN, per image. */
  annMacs: NonNegativeNumber,
  /** Accumulates of the SNN layer per image, over all timesteps. */
  snnAcs: NonNegativeNumber,
  /** Multiply-accumulates of the SNN layer (analog input) per image, over all timesteps. */
  snnMacs: NonNegativeNumber,
  snnPj: NonNegativeNumber,
});
export type LayerEnergy = z.infer<typeof LayerEnergy>;

export const RunReport = z
  .strictObject({
    schemaVersion: z.literal(1),
    command: RunCommand,
    method: Method,
    dataset: z.strictObject({
      name: NonEmptyString,
      trainSize: NonNegativeInt,
      testSize: NonNegativeInt,
    }),
    /** Timesteps per image: 1 for an ANN; for FS conversion, K (steps per FS neuron). */
    timesteps: PositiveInt,
    backend: Backend,
    /** Test top-1 as a fraction. */
    accuracy: UnitInterval,
    /** Top-1 of the source/equivalent ANN on the same test images, when one was evaluated. */
    annAccuracy: UnitInterval.nullable(),
    spikes: z.strictObject({
      /** Spikes per hidden neuron per image, over all timesteps. */
      perNeuron: NonNegativeNumber,
      /** perNeuron / timesteps. */
      rate: UnitInterval,
      perLayer: z.array(LayerSpikes),
    }),
    energy: z.strictObject({
      /** EnergyProfile name, e.g. 'cmos45nm-fp32'. */
      profile: NonEmptyString,
      annPj: NonNegativeNumber,
      snnPj: NonNegativeNumber,
      /** annPj / snnPj; 0 when snnPj is 0 (undefined ratio; JSON has no Infinity). */
      ratio: NonNegativeNumber,
      perLayer: z.array(LayerEnergy),
    }),
    wallMs: NonNegativeNumber,
    /** The image preprocessing the run applied (folder datasets), so eval can apply the same. */
    preprocess: Preprocess.optional(),
    /**
     * How an imported model took its input: the size given to its dynamic axes (C, H, W), and the
     * per-channel mean and std put in front of it (the network takes raw pixels in [0, 1]).
     */
    modelInput: z
      .strictObject({ shape: z.array(PositiveInt).optional(), mean: z.array(FiniteNumber).optional(), std: z.array(PositiveNumber).optional() })
      .optional(),
  })
  .superRefine(
    (r, ctx) => {
      const { annPj, snnPj, ratio } = r.energy;
      const expected = snnPj === 0 ? 0 : annPj / snnPj;
      if (Math.abs(ratio - expected) > RATIO_RELATIVE_TOLERANCE * Math.abs(expected)) {
        ctx.addIssue({
          code: 'custom',
          path: ['energy', 'ratio'],
          message:
            snnPj === 0
              ? `ratio must be 0 when snnPj is 0, got ${ratio}`
              : `ratio ${ratio} is not annPj / snnPj = ${annPj} / ${snnPj} = ${expected}`,
        });
      }
    },
    // Only compare once every number is valid.
    { when: (payload) => payload.issues.length === 0 },
  );
export type RunReport = z.infer<typeof RunReport>;
