/**
 * How frameworks read NIR's continuous-time neurons with a step dt (a registry, one record
 * per convention). NIR stores (τ, r) but not dt; every framework discretises
 * τ dv/dt = (v_leak − v) + r·I by forward Euler (Norse's LIFBox/LIBox steps,
 * snnTorch's export, SpikingJelly's IF), and they differ in two places:
 *  - integrators without a leak (IF, I): the ODE dv/dt = r·I gives v += dt·r·I ('dt');
 *    snnTorch, Norse (IAF) and Sinabs instead add r·I once per step ('step'), writing r = 1;
 *  - how a discrete leaky neuron v ← β·v + I is written as (τ, r): τ = dt/(1 − β) always;
 *    r = τ/dt keeps the input gain 1 (snnTorch; exact under forward Euler), while Norse
 *    writes r = 1 (its own LIF has input gain dt/τ).
 */
import type { NirConvention } from '@spikelite/schemas';

export interface NirConventionDefinition {
  readonly name: NirConvention;
  readonly description: string;
  /** IF and I: 'dt' integrates the ODE (v += dt·r·I), 'step' adds r·I once per step. */
  readonly integrate: 'dt' | 'step';
  /** The r this framework writes for a discrete v ← β·v + I: 'tauOverDt' (r = τ/dt) or 'one' (r = 1). */
  readonly leakyR: 'tauOverDt' | 'one';
}

export const nirConventions: { readonly [K in NirConvention]: NirConventionDefinition } = {
  nir: {
    name: 'nir',
    description: "NIR's equations, forward Euler with the given dt: v += (dt/τ)·((v_leak − v) + r·I); IF/I: v += dt·r·I",
    integrate: 'dt',
    leakyR: 'tauOverDt',
  },
  spikingjelly: {
    name: 'spikingjelly',
    description: "as 'nir': SpikingJelly writes IF with r = 1/dt, so v += dt·(1/dt)·I = v + I",
    integrate: 'dt',
    leakyR: 'tauOverDt',
  },
  snntorch: {
    name: 'snntorch',
    description: "snnTorch: dt = 1e-4 unless given; LIF/CubaLIF written as τ = dt/(1 − β), r = τ/dt (Euler gives β·v + I); IF/I: v += r·I per step (r = 1)",
    integrate: 'step',
    leakyR: 'tauOverDt',
  },
  norse: {
    name: 'norse',
    description: "Norse: LIF/LI/Cuba* forward Euler with dt and r = 1 (v += (dt/τ)·(v_leak − v + I)); IF/I: v += r·I per step (Norse's IAF)",
    integrate: 'step',
    leakyR: 'one',
  },
};

/** The per-step input gain of IF and I under `convention`: dt·r ('dt') or r ('step'). */
export function integratorGain(r: number, dt: number, convention: NirConvention): number {
  return nirConventions[convention].integrate === 'dt' ? dt * r : r;
}

/**
 * A discrete neuron v ← β·v + I (β = 1: an IF) as a framework writes it in NIR: a LIF with
 * τ = dt/(1 − β) and r per the convention, or an IF with r per the convention.
 */
export function discreteToNir(beta: number, dt: number, convention: NirConvention): { model: 'LIF'; tau: number; r: number } | { model: 'IF'; r: number } {
  if (!(beta > 0 && beta <= 1)) throw new Error(`discreteToNir: the leak β must be in (0, 1], got ${beta}`);
  const c = nirConventions[convention];
  if (beta === 1) return { model: 'IF', r: c.integrate === 'dt' ? 1 / dt : 1 };
  const tau = dt / (1 - beta);
  return { model: 'LIF', tau, r: c.leakyR === 'tauOverDt' ? tau / dt : 1 };
}
