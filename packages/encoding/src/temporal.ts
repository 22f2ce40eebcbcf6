import * as tf from '@tensorflow/tfjs-core';
import type { TemporalEncoding, TemporalFields } from '@spikelite/schemas';
import { EncodingError } from './errors.js';
import type { EncodingDefinition, StepCode, StepInput } from './types.js';

export type TemporalMappingName = TemporalFields['mapping'];

export interface TemporalParams {
  readonly timesteps: number;
  readonly tMin: number;
  readonly threshold: number;
}

/**
 * Intensity → spike time. Returns the 0-based step at which a pixel of intensity x (in
 * [0, 1]) fires, or `Infinity` when it never fires. Times ≥ T are treated as never.
 */
export type TemporalMapping = (x: number, params: TemporalParams) => number;

/**
 * SPEC §1b's default (an assumption there), 0-based: t = tMin + floor((1 − x)·(T − tMin)) for
 * x > threshold, else never. x = 1 fires at tMin; x → 0⁺ fires at T − 1; x = 0 maps to T (never).
 */
export const linearMapping: TemporalMapping = (x, { timesteps, tMin, threshold }) =>
  x > threshold ? tMin + Math.floor((1 - x) * (timesteps - tMin)) : Infinity;

/** Registry of intensity → time mappings, keyed like `TemporalFields.mapping`. */
export const temporalMappings: { readonly [K in TemporalMappingName]: TemporalMapping } = {
  linear: linearMapping,
};

/** Sentinel in {@link temporalSpikeTimes}' result: the element never fires. */
export const NEVER = -1;

/**
 * Each element's single spike time (0-based step), or {@link NEVER}. Every element fires at
 * most once by construction.
 */
export function temporalSpikeTimes(values: ArrayLike<number>, fields: TemporalFields, timesteps: number): Int32Array {
  const mapping = temporalMappings[fields.mapping];
  const params: TemporalParams = { timesteps, tMin: fields.tMin, threshold: fields.threshold };
  const times = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const t = mapping(values[i]!, params);
    if (!(t < timesteps)) {
      times[i] = NEVER; // Infinity, ≥ T or NaN
    } else if (!Number.isInteger(t) || t < 0) {
      throw new EncodingError(`temporal mapping '${fields.mapping}' returned step ${t} for intensity ${values[i]}; expected an integer ≥ 0`);
    } else {
      times[i] = t;
    }
  }
  return times;
}

/** The step function shared by `temporal` and `hybrid`: a 1 where the element's spike time is t. */
export function temporalCode(fields: TemporalFields, timesteps: number): StepCode {
  let cachedFor: Float32Array | null = null;
  let times: Int32Array = new Int32Array(0);
  return {
    isAnalog: () => false,
    step(input: StepInput, t: number): tf.Tensor {
      const values = input.values();
      if (values !== cachedFor) {
        times = temporalSpikeTimes(values, fields, timesteps);
        cachedFor = values;
      }
      const out = new Float32Array(values.length);
      for (let i = 0; i < out.length; i++) if (times[i] === t) out[i] = 1;
      return tf.tensor(out, input.shape as number[], 'float32');
    },
  };
}

/** Time-to-first-spike (SPEC §1b): each element fires once at most; brighter fires earlier. */
export const temporalEncoding: EncodingDefinition<TemporalEncoding> = {
  kind: 'temporal',
  stochastic: () => false,
  create: (spec, { timesteps }) => temporalCode(spec, timesteps),
};
