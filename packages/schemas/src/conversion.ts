/** ANN → SNN conversion recipes (`spikelite convert --method …`). */
import { z } from 'zod';
import { Granularity, HalfOpenUnitInterval, NonNegativeInt, PositiveInt, PositiveNumber, ResetMode } from './common.js';
import { FsCoefficients } from './neuron.js';
import { OptimizerSpec } from './train.js';

/** How thresholds are set from activation statistics (SPEC §4d, "threshold balancing"). */
export const CalibrationSpec = z.strictObject({
  // SPEC §4d: one shuffled batch of 512 training images.
  images: PositiveInt.default(512),
  // SPEC §4d: DIET takes the 99.7th percentile of the pre-activation; ICLR 2020 the maximum.
  statistic: z.enum(['max', 'percentile']).default('percentile'),
  percentile: z.number().gt(0).max(100).default(99.7),
  // SPEC §4d: one threshold per layer.
  granularity: Granularity.default('layer'),
});
export type CalibrationSpec = z.infer<typeof CalibrationSpec>;

/**
 * Threshold scale of the DIET and hybrid recipes. SPEC §4d: DIET's README command for T = 5
 * uses 0.2 (its code default is 0.3); ICLR 2020 uses 0.7, but with max statistics and 100+
 * timesteps. These recipes follow DIET at T = 5 and fine-tune θ afterwards, so 0.2.
 */
export const DIET_THRESHOLD_SCALE = 0.2;

/** Threshold scale of the hybrid recipe (measured on fmnist-small at T = 5: packages/pipelines/METHODS.md). */
export const HYBRID_THRESHOLD_SCALE = 0.5;

/** SPEC §4d: the DIET SNN fine-tune uses Adam (amsgrad), lr 1e-4, no weight decay. */
const finetuneOptimizer = OptimizerSpec.prefault({ kind: 'adam', lr: 1e-4, amsgrad: true, weightDecay: 0 });

/**
 * Bias correction after conversion (Li et al. 2021, light calibration): per layer, in order, the
 * mean per channel of ANN activation − SNN rate × θ on the calibration images is added to the
 * bias that feeds the neuron. Absent or false: off (measured in packages/conversion/README.md).
 */
const BiasCorrection = z.boolean().optional();

/** Plain rate conversion: copy weights, set θ_l = scale·statistic_l, run IF/LIF neurons. */
export const ThresholdRecipe = z.strictObject({
  kind: z.literal('threshold'),
  timesteps: PositiveInt.default(5),
  // Per channel: the channels of one layer differ in range as much as layers do (most after
  // depthwise convs); MobileNetV2 at T = 8 goes from 12 % to 62 % (packages/conversion/README.md).
  calibration: CalibrationSpec.extend({ granularity: Granularity.default('channel') }).prefault({}),
  // No scaling: θ = the calibrated statistic (classic threshold balancing).
  scale: PositiveNumber.default(1),
  neuron: z.enum(['if', 'lif']).default('if'),
  reset: ResetMode.default('soft'),
  // u(0) = initialPotential·θ of every neuron. θ/2 (Bu et al. 2022) makes the rate round a/θ
  // rather than floor it: measured on Fashion-MNIST (packages/conversion/README.md), ResNet-18
  // at T = 8 goes from 42 % to 87 % with per-channel thresholds, the small CNN at T = 2 from 10 % to 86 %.
  initialPotential: HalfOpenUnitInterval.default(0.5),
  biasCorrection: BiasCorrection,
});
export type ThresholdRecipe = z.infer<typeof ThresholdRecipe>;

export const FS_FITTED_ACTIVATIONS = ['relu', 'silu', 'sigmoid'] as const;
export const FsFittedActivation = z.enum(FS_FITTED_ACTIVATIONS);

/**
 * FS conversion (SPEC §3d): every relu/silu/sigmoid becomes a K-step FS neuron; no retraining.
 * `K` absent = FS_DEFAULT_K per activation. ReLU uses the closed form h = d = T = α·2^−t for any K;
 * coefficients given here replace the stored ones for that activation.
 */
export const FsRecipe = z
  .strictObject({
    kind: z.literal('fs'),
    K: PositiveInt.optional(),
    coefficients: z.partialRecord(FsFittedActivation, FsCoefficients).optional(),
    /**
     * ReLU's range α: the output is quantized on [0, α·(1 − 2^−K)]. 'max' (default): per layer,
     * the largest calibration input (capped at ReLU6's 6) is the top of the range. A number is
     * one α for every layer (SPEC §3a: 25).
     */
    reluAlpha: z.union([PositiveNumber, z.literal('max')], { error: "expected a positive number or 'max'" }).default('max'),
    /**
     * Which non-ReLU activations get coefficients fitted here: 'samples' (default) every one, on
     * a subsample of its layer's observed inputs (MSE weighted by the input distribution),
     * warm-started from the published or reference set, with a small spike-count penalty;
     * 'missing' (the paper's way) only those without a stored set at this K; 'layer' every one,
     * on a uniform grid over its own layer's observed input range. Measurements: conversion README.
     */
    fit: z.enum(['missing', 'layer', 'samples']).default('samples'),
  })
  .superRefine((r, ctx) => {
    if (r.K === undefined || r.coefficients === undefined) return;
    for (const [act, c] of Object.entries(r.coefficients)) {
      if (c !== undefined && c.h.length !== r.K) {
        ctx.addIssue({
          code: 'custom',
          path: ['coefficients', act],
          message: `${act} coefficients have ${c.h.length} steps but K is ${r.K}`,
        });
      }
    }
  });
export type FsRecipe = z.infer<typeof FsRecipe>;

/** DIET (SPEC §4d): ANN → threshold balancing → copy weights → BPTT fine-tune of LIF with trainable λ, θ. */
export const DietRecipe = z.strictObject({
  kind: z.literal('diet'),
  // SPEC §4d: T = 5.
  timesteps: PositiveInt.default(5),
  calibration: CalibrationSpec.prefault({}),
  scale: PositiveNumber.default(DIET_THRESHOLD_SCALE),
  // SPEC §4a: u(0) = 0. Deep networks start far better from θ/2 with per-channel thresholds and
  // scale 0.8 (packages/conversion/README.md); the defaults stay DIET's.
  initialPotential: HalfOpenUnitInterval.default(0),
  biasCorrection: BiasCorrection,
  finetuneEpochs: NonNegativeInt.default(1),
  optimizer: finetuneOptimizer,
});
export type DietRecipe = z.infer<typeof DietRecipe>;

/**
 * Single-spike hybrid encoding (SPEC §1) as a conversion: thresholds from calibration × scale
 * on single-spike LIF neurons, hybrid input (analog at t = 0, one temporal spike per pixel
 * after), then a fine-tune with the spike-time + membrane loss. SPEC §1d: "start from the
 * DIET settings"; the defaults that differ from DIET's were measured on Fashion-MNIST
 * (packages/pipelines/METHODS.md): θ scale 0.5, lr 5e-4, the masked linear surrogate.
 */
export const HybridRecipe = z.strictObject({
  kind: z.literal('hybrid'),
  timesteps: PositiveInt.default(5),
  calibration: CalibrationSpec.prefault({}),
  scale: PositiveNumber.default(HYBRID_THRESHOLD_SCALE),
  finetuneEpochs: NonNegativeInt.default(1),
  optimizer: OptimizerSpec.prefault({ kind: 'adam', lr: 5e-4, amsgrad: true, weightDecay: 0 }),
  /** 'linear': γ = 0.3 before the spike, none after (masked); 'stdb': the neuron's STDB variant. */
  surrogate: z.enum(['linear', 'stdb']).default('linear'),
  /** θ_out of the spike-time loss; absent = outputThresholdFraction × median max U(T) on the calibration images. */
  outputThreshold: PositiveNumber.optional(),
  outputThresholdFraction: PositiveNumber.default(0.5),
});
export type HybridRecipe = z.infer<typeof HybridRecipe>;

export const ConversionRecipe = z.discriminatedUnion('kind', [ThresholdRecipe, FsRecipe, DietRecipe, HybridRecipe]);
export type ConversionRecipe = z.infer<typeof ConversionRecipe>;
export type ConversionRecipeInput = z.input<typeof ConversionRecipe>;

export const CONVERSION_METHODS = ['threshold', 'fs', 'diet', 'hybrid'] as const;
export const ConversionMethod = z.enum(CONVERSION_METHODS);
export type ConversionMethod = z.infer<typeof ConversionMethod>;
