import * as tf from '@tensorflow/tfjs-core';
import type { RateEncoding } from '@spikelite/schemas';
import type { EncodingDefinition } from './types.js';

/** Probability of a spike in one step for an event rate r = gain·intensity. */
export const RATE_PROBABILITY: { readonly [K in RateEncoding['distribution']]: (rate: number) => number } = {
  // One 0/1 draw with p = clip(r, 0, 1).
  bernoulli: (r) => Math.min(Math.max(r, 0), 1),
  // P(at least one event of a Poisson process with mean r per step): 1 − e^(−r).
  poisson: (r) => 1 - Math.exp(-Math.max(r, 0)),
};

/**
 * Per-element spike probability and sign for raw intensities x in [0, 1]. Unsigned: p = P(gain·x),
 * sign +1. Signed (ICLR 2020, SPEC §4b): x' = 2x − 1 in [−1, 1] (their mean 0.5 / std 0.5
 * normalisation), p = P(gain·|x'|), sign = sign(x').
 */
export function rateProbabilities(
  values: ArrayLike<number>,
  spec: Pick<RateEncoding, 'distribution' | 'signed' | 'gain'>,
): { p: Float64Array; sign: Float32Array } {
  const prob = RATE_PROBABILITY[spec.distribution];
  const n = values.length;
  const p = new Float64Array(n);
  const sign = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (spec.signed) {
      const s = 2 * x - 1;
      p[i] = prob(spec.gain * Math.abs(s));
      sign[i] = s > 0 ? 1 : s < 0 ? -1 : 0;
    } else {
      p[i] = prob(spec.gain * x);
      sign[i] = 1;
    }
  }
  return { p, sign };
}

/**
 * Rate coding: at every step each element spikes independently with probability p (see
 * {@link rateProbabilities}); a spike is `sign` (1, or ±1 when signed), no spike 0. A spike
 * happens when the step's uniform draw u in [0, 1) satisfies u < p, so p = 0 never and p = 1
 * always fires.
 */
export const rateEncoding: EncodingDefinition<RateEncoding> = {
  kind: 'rate',
  stochastic: () => true,
  create(spec) {
    let cachedFor: Float32Array | null = null;
    let cached: { p: Float64Array; sign: Float32Array } = { p: new Float64Array(0), sign: new Float32Array(0) };
    return {
      isAnalog: () => false,
      step(input, t) {
        const values = input.values();
        if (values !== cachedFor) {
          cached = rateProbabilities(values, spec);
          cachedFor = values;
        }
        const { p, sign } = cached;
        const u = input.uniform(t);
        const out = new Float32Array(values.length);
        for (let i = 0; i < out.length; i++) if (u[i]! < p[i]!) out[i] = sign[i]!;
        return tf.tensor(out, input.shape as number[], 'float32');
      },
    };
  },
};
