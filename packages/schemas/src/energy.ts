/** Per-operation energy costs (SPEC "Energy accounting"). */
import { z } from 'zod';
import { NonEmptyString, NonNegativeNumber } from './common.js';

export const EnergyProfile = z.strictObject({
  name: NonEmptyString,
  /** Energy of one multiply-accumulate (analog input, ANN layers), pJ. */
  macPj: NonNegativeNumber,
  /** Energy of one accumulate (a spike arriving at a synapse), pJ. */
  acPj: NonNegativeNumber,
  // SPEC: the papers' "compute energy" ignores neuron updates (leak multiply, compare).
  neuronUpdatePj: NonNegativeNumber.default(0),
  /** Energy per memory access, pJ; absent = memory is not counted (as in the papers). */
  memoryPj: NonNegativeNumber.optional(),
});
export type EnergyProfile = z.infer<typeof EnergyProfile>;
export type EnergyProfileInput = z.input<typeof EnergyProfile>;

/**
 * Operations one neuron performs per update: declared by each neuron kind (@spikelite/neurons
 * `updateOps`) and costed by @spikelite/energy, which may not import the neurons.
 */
export interface NeuronUpdateOps {
  readonly mul: number;
  readonly add: number;
  readonly compare: number;
}

/** Horowitz, ISSCC 2014, 45 nm CMOS, FP32: MAC 4.6 pJ (3.7 + 0.9), AC 0.9 pJ. DIET uses this set. */
export const CMOS45NM_FP32: Readonly<EnergyProfile> = Object.freeze({
  name: 'cmos45nm-fp32',
  macPj: 4.6,
  acPj: 0.9,
  neuronUpdatePj: 0,
});

/** Horowitz, ISSCC 2014, 45 nm CMOS, INT32: MAC 3.2 pJ (3.1 + 0.1), AC 0.1 pJ. */
export const CMOS45NM_INT32: Readonly<EnergyProfile> = Object.freeze({
  name: 'cmos45nm-int32',
  macPj: 3.2,
  acPj: 0.1,
  neuronUpdatePj: 0,
});

/** Built-in profiles by name; the default is `cmos45nm-fp32`. */
export const ENERGY_PROFILES: Readonly<Record<'cmos45nm-fp32' | 'cmos45nm-int32', Readonly<EnergyProfile>>> =
  Object.freeze({
    'cmos45nm-fp32': CMOS45NM_FP32,
    'cmos45nm-int32': CMOS45NM_INT32,
  });
export const DEFAULT_ENERGY_PROFILE: Readonly<EnergyProfile> = CMOS45NM_FP32;
