/**
 * Spiking neurons and their surrogate gradients (DESIGN "Conventions": a discriminated
 * union on `kind`, one derivative function per kind).
 */
import { z } from 'zod';
import { FiniteNumber, Granularity, HalfOpenUnitInterval, NonNegativeNumber, PositiveInt, PositiveNumber, ResetMode, UnitInterval } from './common.js';
import { NirCubaLiNeuron, NirCubaLifNeuron, NirIfNeuron, NirINeuron, NirLiNeuron, NirLifNeuron, NirThresholdNeuron } from './nir-neuron.js';

// ---------------------------------------------------------------- surrogates

/** DIET `LinearSpike`: ∂s/∂z = γ·max(0, 1 − |z|), z = u/θ − 1. */
export const LinearSurrogate = z.strictObject({
  kind: z.literal('linear'),
  // SPEC §4a: DIET code default γ = 0.3.
  gamma: PositiveNumber.default(0.3),
});
/** ICLR 2020 STDB: ∂s/∂u ≈ α·exp(−β·Δt), Δt = (t − 1) − t_last. */
export const StdbSurrogate = z.strictObject({
  kind: z.literal('stdb'),
  // SPEC §4a: STDB code defaults α = 0.3, β = 0.01.
  alpha: PositiveNumber.default(0.3),
  beta: NonNegativeNumber.default(0.01),
});
/** Fast sigmoid (SuperSpike): ∂s/∂u = 1 / (1 + slope·|u − θ|)². */
export const FastSigmoidSurrogate = z.strictObject({
  kind: z.literal('fastSigmoid'),
  // Common SuperSpike/snnTorch default slope.
  slope: PositiveNumber.default(10),
});
/** Arctan: ∂s/∂u = (α/2) / (1 + (π/2·α·(u − θ))²). */
export const ArctanSurrogate = z.strictObject({
  kind: z.literal('arctan'),
  // SpikingJelly's ATan default α = 2.
  alpha: PositiveNumber.default(2),
});
/** Triangle, the FS-neuron form: ∂z/∂v = max(0, 1 − |v|/width) (SPEC §3c uses width 1). */
export const TriangleSurrogate = z.strictObject({
  kind: z.literal('triangle'),
  // SPEC §3c: max(0, 1 − |v_s|).
  width: PositiveNumber.default(1),
});
/** Rectangular: ∂s/∂u = 1[|u − θ| < width/2]. */
export const RectangularSurrogate = z.strictObject({
  kind: z.literal('rectangular'),
  // SPEC §2a: 1[|u − V_th| < 0.5], i.e. width 1.
  width: PositiveNumber.default(1),
});
/** Straight-through: ∂s/∂u = 1. */
export const StraightThroughSurrogate = z.strictObject({ kind: z.literal('straightThrough') });

export const SurrogateSpec = z.discriminatedUnion('kind', [
  LinearSurrogate,
  StdbSurrogate,
  FastSigmoidSurrogate,
  ArctanSurrogate,
  TriangleSurrogate,
  RectangularSurrogate,
  StraightThroughSurrogate,
]);
export type SurrogateSpec = z.infer<typeof SurrogateSpec>;
export type SurrogateSpecInput = z.input<typeof SurrogateSpec>;
export type SurrogateKind = SurrogateSpec['kind'];

// ---------------------------------------------------------------- neurons

/** The membrane's start as a fraction of θ, in [0, 1): a neuron never fires before its first input. */
const InitialPotential = HalfOpenUnitInterval.default(0);

/** Integrate-and-fire: u ← u + I; s = H(u − θ); reset. */
export const IfNeuron = z.strictObject({
  kind: z.literal('if'),
  threshold: PositiveNumber.default(1),
  // SPEC §4a: soft reset (subtract θ).
  reset: ResetMode.default('soft'),
  // u(0) = initialPotential·θ. SPEC §4a starts at 0. Rate conversion at short T starts at θ/2
  // (Bu et al. 2022, "optimal initial potential"): the rate then rounds a/θ instead of flooring it.
  initialPotential: InitialPotential,
  // SPEC §4a: DIET default surrogate is Linear, γ = 0.3.
  surrogate: SurrogateSpec.prefault({ kind: 'linear' }),
});
export type IfNeuron = z.infer<typeof IfNeuron>;

/** DIET-SNN LIF (SPEC §4a): u ← λ·u + I; s = H(u/θ − 1); soft reset; trainable λ and θ. */
export const LifNeuron = z
  .strictObject({
    kind: z.literal('lif'),
    // SPEC §4a: λ starts at the `--leak` argument, default 1.0.
    leak: FiniteNumber.default(1),
    threshold: PositiveNumber.default(1),
    // SPEC §4a: θ_l and λ_l are trainable.
    trainLeak: z.boolean().default(true),
    trainThreshold: z.boolean().default(true),
    // SPEC §4a: single scalars per spiking layer.
    granularity: Granularity.default('layer'),
    reset: ResetMode.default('soft'),
    // SPEC §4a: spike from the potential after this step's input ('current', DIET code since 2021)
    // or from the previous potential ('previous', older code; one step of delay per layer).
    order: z.enum(['current', 'previous']).default('current'),
    // u(0) = initialPotential·θ. SPEC §4a starts at 0. Rate conversion at short T starts at θ/2
    // (Bu et al. 2022, "optimal initial potential"): the rate then rounds a/θ instead of flooring it.
    initialPotential: InitialPotential,
    // SPEC §4a: λ is clamped to ≤ 1 after every optimizer step; no lower bound.
    leakMax: FiniteNumber.default(1),
    leakMin: z.number({ error: 'expected a number or null' }).nullable().default(null),
    surrogate: SurrogateSpec.prefault({ kind: 'linear' }),
  })
  .superRefine((n, ctx) => {
    if (n.leak > n.leakMax) {
      ctx.addIssue({ code: 'custom', path: ['leak'], message: `leak ${n.leak} is above leakMax ${n.leakMax}` });
    }
    if (n.leakMin !== null && n.leakMin > n.leakMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['leakMin'],
        message: `leakMin ${n.leakMin} is above leakMax ${n.leakMax}`,
      });
    } else if (n.leakMin !== null && n.leak < n.leakMin) {
      ctx.addIssue({ code: 'custom', path: ['leak'], message: `leak ${n.leak} is below leakMin ${n.leakMin}` });
    }
  });
export type LifNeuron = z.infer<typeof LifNeuron>;

/**
 * Single-spike LIF (hybrid encoding, SPEC §1a): fires at most once per image; after the
 * spike the potential is reset to 0 or frozen (both give identical outputs).
 */
export const SingleSpikeLifNeuron = z.strictObject({
  kind: z.literal('singleSpikeLif'),
  leak: UnitInterval.default(1),
  threshold: PositiveNumber.default(1),
  // SPEC §1a: whether λ and θ are trained is UNKNOWN; we train θ only.
  trainLeak: z.boolean().default(false),
  trainThreshold: z.boolean().default(true),
  afterSpike: z.enum(['freeze', 'reset']).default('reset'),
  // SPEC §1d: a variant of STDB, α·exp(−β·|t − t_s|).
  surrogate: SurrogateSpec.prefault({ kind: 'stdb' }),
});
export type SingleSpikeLifNeuron = z.infer<typeof SingleSpikeLifNeuron>;

/** FS-neuron coefficients h(t), d(t), T(t), t = 1..K (SPEC §3a, `fs_coding.py` convention). */
export const FsCoefficients = z
  .strictObject({
    h: z.array(FiniteNumber).min(1),
    d: z.array(FiniteNumber).min(1),
    T: z.array(FiniteNumber).min(1),
  })
  .superRefine((c, ctx) => {
    if (c.d.length !== c.h.length) {
      ctx.addIssue({ code: 'custom', path: ['d'], message: `d has ${c.d.length} values but h has ${c.h.length}` });
    }
    if (c.T.length !== c.h.length) {
      ctx.addIssue({ code: 'custom', path: ['T'], message: `T has ${c.T.length} values but h has ${c.h.length}` });
    }
  });
export type FsCoefficients = z.infer<typeof FsCoefficients>;

export const FS_ACTIVATIONS = ['relu', 'silu', 'sigmoid', 'custom'] as const;
export const FsActivation = z.enum(FS_ACTIVATIONS);
export type FsActivation = z.infer<typeof FsActivation>;

/**
 * Default K per activation (SPEC §3a, `fs_weights.py`): ReLU 10 (closed form α·2^−t, any K
 * works), swish/SiLU 16 and sigmoid 12 (the stored fitted coefficients). 'custom' has no
 * default: its coefficients must be given.
 */
export const FS_DEFAULT_K = { relu: 10, silu: 16, sigmoid: 12 } as const;

/** FS neuron (Stöckl & Maass, SPEC §3a): K steps, spikes weighted by d(t). `K` is filled in on parse. */
export const FsNeuron = z
  .strictObject({
    kind: z.literal('fs'),
    activation: FsActivation,
    /** Steps per neuron; defaults to the coefficients' length, else FS_DEFAULT_K[activation]. */
    K: PositiveInt.optional(),
    /** Required for 'custom', and for silu/sigmoid with a K other than the stored 16/12. */
    coefficients: FsCoefficients.optional(),
    // SPEC §3c: the fitting surrogate max(0, 1 − |v_s|).
    surrogate: SurrogateSpec.prefault({ kind: 'triangle' }),
  })
  .superRefine((n, ctx) => {
    const c = n.coefficients;
    if (c === undefined) {
      if (n.activation === 'custom') {
        ctx.addIssue({
          code: 'custom',
          path: ['coefficients'],
          message: "activation 'custom' needs coefficients { h, d, T }",
        });
      } else if (n.activation !== 'relu' && n.K !== undefined && n.K !== FS_DEFAULT_K[n.activation]) {
        ctx.addIssue({
          code: 'custom',
          path: ['K'],
          message: `${n.activation} has stored coefficients only for K = ${FS_DEFAULT_K[n.activation]}; give coefficients for K = ${n.K}`,
        });
      }
      return;
    }
    if (n.K !== undefined) {
      for (const key of ['h', 'd', 'T'] as const) {
        if (c[key].length !== n.K) {
          ctx.addIssue({
            code: 'custom',
            path: ['coefficients', key],
            message: `${key} has ${c[key].length} values but K is ${n.K}`,
          });
        }
      }
    }
  })
  .transform((n) => ({
    ...n,
    K: n.K ?? n.coefficients?.h.length ?? FS_DEFAULT_K[n.activation as Exclude<FsActivation, 'custom'>],
  }));
export type FsNeuron = z.infer<typeof FsNeuron>;

/**
 * The general-SNN neuron (SPEC §2a): T = 1, u = u_in·decay·(1 − s_prev) + I, hard reset,
 * s = H(u − V_th); the carried membrane enters through the projection
 * 2·sin((π/4)·m_a·cos((π/4)·m_b)) over `windows` windows.
 */
export const GeneralNeuron = z.strictObject({
  kind: z.literal('general'),
  // SPEC §2a: decay = 0.4, V_th = 0.5.
  decay: UnitInterval.default(0.4),
  threshold: PositiveNumber.default(0.5),
  projection: z.enum(['sincos', 'none']).default('sincos'),
  // SPEC §2a: ∂s/∂u = 1[|u − V_th| < 0.5].
  surrogate: SurrogateSpec.prefault({ kind: 'rectangular', width: 1 }),
  // SPEC §2a/§2e: four windows g1..g4.
  windows: PositiveInt.default(4),
});
export type GeneralNeuron = z.infer<typeof GeneralNeuron>;

/** Output layer: accumulates U(t) = U(t−1) + W·s(t), never spikes (SPEC §4a). */
export const IntegratorNeuron = z.strictObject({ kind: z.literal('integrator') });
export type IntegratorNeuron = z.infer<typeof IntegratorNeuron>;

export const NeuronSpec = z.discriminatedUnion('kind', [
  IfNeuron,
  LifNeuron,
  SingleSpikeLifNeuron,
  FsNeuron,
  GeneralNeuron,
  IntegratorNeuron,
  // NIR's continuous-time neurons, discretised with an explicit dt (nir-neuron.ts).
  NirLifNeuron,
  NirIfNeuron,
  NirLiNeuron,
  NirINeuron,
  NirCubaLifNeuron,
  NirCubaLiNeuron,
  NirThresholdNeuron,
]);
export type NeuronSpec = z.infer<typeof NeuronSpec>;
export type NeuronSpecInput = z.input<typeof NeuronSpec>;
export type NeuronKind = NeuronSpec['kind'];
