/**
 * The NIR neuron models (Neuromorphic Intermediate Representation, continuous time), run
 * with an explicit step `dt`:
 *   LIF      τ dv/dt = (v_leak − v) + r·I,  spike when v > v_threshold, then v = v_reset
 *   LI       the same, never spikes
 *   IF       dv/dt = r·I, spike and reset as LIF;   I   the same, never spikes
 *   CubaLIF  τ_syn di/dt = −i + w_in·S;  τ_mem dv/dt = (v_leak − v) + r·i;  spike and reset
 *   CubaLI   the same, never spikes
 *   Threshold  no state: spike when I > v_threshold (NIR's Threshold node)
 * Parameters are a number (every neuron) or an array with one value per neuron, row-major
 * over the layer's features (e.g. [H, W, C] after a conv layer in spikelite's NHWC layout).
 * `convention` names whose discretisation to follow (see @spikelite/neurons, nir/conventions.ts).
 */
import { z } from 'zod';
import { FiniteNumber, PositiveNumber } from './common.js';

/** Which framework's reading of (τ, r, dt) to reproduce. */
export const NIR_CONVENTIONS = ['nir', 'norse', 'snntorch', 'spikingjelly'] as const;
export const NirConvention = z.enum(NIR_CONVENTIONS);
export type NirConvention = z.infer<typeof NirConvention>;

/** The dt a convention implies when none is given: snnTorch's NIR export hard-codes 1e-4. */
export const NIR_CONVENTION_DEFAULT_DT: Readonly<Record<NirConvention, number | null>> = {
  nir: null,
  norse: null,
  snntorch: 1e-4,
  spikingjelly: null,
};

const array = (item: z.ZodNumber) => z.array(item, { error: 'expected a number or an array of numbers' }).min(1, { error: 'expected at least one value' });
/** A parameter: one number for every neuron, or one per neuron. */
export const NirParam = z.union([FiniteNumber, array(FiniteNumber)], { error: 'expected a number or an array of numbers' });
export type NirParam = z.infer<typeof NirParam>;
/** A time constant: > 0. */
export const NirTimeConstant = z.union([PositiveNumber, array(PositiveNumber)], { error: 'expected a positive number or an array of positive numbers' });

const base = {
  /** Seconds per step; required unless the convention implies one. */
  dt: PositiveNumber.optional(),
  convention: NirConvention.default('nir'),
};

/** dt is required unless the convention implies one; filled in on parse. */
function withDt<T extends { dt?: number | undefined; convention: NirConvention }>(n: T, ctx: z.RefinementCtx): T & { dt: number } {
  const dt = n.dt ?? NIR_CONVENTION_DEFAULT_DT[n.convention];
  if (dt === null) {
    ctx.addIssue({ code: 'custom', path: ['dt'], message: `required with convention '${n.convention}': NIR files do not store the time step` });
    return z.NEVER;
  }
  return { ...n, dt };
}

export const NirLifNeuron = z
  .strictObject({
    kind: z.literal('nirLif'),
    ...base,
    tau: NirTimeConstant,
    r: NirParam.default(1),
    vLeak: NirParam.default(0),
    vThreshold: NirParam.default(1),
    vReset: NirParam.default(0),
  })
  .transform(withDt);
export type NirLifNeuron = z.infer<typeof NirLifNeuron>;

export const NirIfNeuron = z
  .strictObject({ kind: z.literal('nirIf'), ...base, r: NirParam.default(1), vThreshold: NirParam.default(1), vReset: NirParam.default(0) })
  .transform(withDt);
export type NirIfNeuron = z.infer<typeof NirIfNeuron>;

export const NirLiNeuron = z
  .strictObject({ kind: z.literal('nirLi'), ...base, tau: NirTimeConstant, r: NirParam.default(1), vLeak: NirParam.default(0) })
  .transform(withDt);
export type NirLiNeuron = z.infer<typeof NirLiNeuron>;

export const NirINeuron = z.strictObject({ kind: z.literal('nirI'), ...base, r: NirParam.default(1) }).transform(withDt);
export type NirINeuron = z.infer<typeof NirINeuron>;

export const NirCubaLifNeuron = z
  .strictObject({
    kind: z.literal('nirCubaLif'),
    ...base,
    tauSyn: NirTimeConstant,
    tauMem: NirTimeConstant,
    r: NirParam.default(1),
    vLeak: NirParam.default(0),
    vThreshold: NirParam.default(1),
    vReset: NirParam.default(0),
    wIn: NirParam.default(1),
  })
  .transform(withDt);
export type NirCubaLifNeuron = z.infer<typeof NirCubaLifNeuron>;

export const NirCubaLiNeuron = z
  .strictObject({
    kind: z.literal('nirCubaLi'),
    ...base,
    tauSyn: NirTimeConstant,
    tauMem: NirTimeConstant,
    r: NirParam.default(1),
    vLeak: NirParam.default(0),
    wIn: NirParam.default(1),
  })
  .transform(withDt);
export type NirCubaLiNeuron = z.infer<typeof NirCubaLiNeuron>;

/** NIR Threshold: stateless, s = H(I − v_threshold) at every step (no dt, no convention: nothing integrates). */
export const NirThresholdNeuron = z.strictObject({ kind: z.literal('nirThreshold'), vThreshold: NirParam.default(0) });
export type NirThresholdNeuron = z.infer<typeof NirThresholdNeuron>;
