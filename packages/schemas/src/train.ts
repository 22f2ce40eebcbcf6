/** Configuration of a training run (`spikelite train`). */
import { z } from 'zod';
import {
  Backend,
  HalfOpenUnitInterval,
  NonNegativeInt,
  NonNegativeNumber,
  PositiveInt,
  PositiveNumber,
} from './common.js';
import { EncodingSpec } from './encoding.js';
import { LossSpec } from './loss.js';
import { NeuronSpec, SurrogateSpec } from './neuron.js';

export const TRAIN_METHODS = ['ann', 'diet', 'hybrid', 'general'] as const;
export const TrainMethod = z.enum(TRAIN_METHODS);
export type TrainMethod = z.infer<typeof TrainMethod>;

export const AdamOptimizer = z.strictObject({
  kind: z.literal('adam'),
  // SPEC §4d: DIET ANN lr 1e-3 (its SNN fine-tune uses 1e-4 with amsgrad).
  lr: PositiveNumber.default(1e-3),
  // Kingma & Ba / PyTorch defaults.
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: PositiveNumber.default(1e-8),
  amsgrad: z.boolean().default(false),
  /** L2 penalty added to the gradient (PyTorch Adam `weight_decay`, not AdamW). */
  weightDecay: NonNegativeNumber.default(0),
});
export type AdamOptimizer = z.infer<typeof AdamOptimizer>;

export const SgdOptimizer = z.strictObject({
  kind: z.literal('sgd'),
  // SPEC §4d: ICLR 2020 ANN, SGD lr 1e-2, momentum 0.9, weight decay 5e-4.
  lr: PositiveNumber.default(0.01),
  momentum: z.number().min(0).lt(1).default(0.9),
  nesterov: z.boolean().default(false),
  weightDecay: NonNegativeNumber.default(5e-4),
});
export type SgdOptimizer = z.infer<typeof SgdOptimizer>;

export const OptimizerSpec = z.discriminatedUnion('kind', [AdamOptimizer, SgdOptimizer]);
export type OptimizerSpec = z.infer<typeof OptimizerSpec>;
export type OptimizerSpecInput = z.input<typeof OptimizerSpec>;

export const ConstantSchedule = z.strictObject({ kind: z.literal('constant') });

/**
 * Multiply the lr by `gamma` after each milestone epoch (PyTorch MultiStepLR): the lr of
 * epoch e (0-based) is lr·gamma^(number of milestones ≤ e). Milestones are epoch numbers,
 * not fractions, so a resumed or shortened run means the same thing; SPEC §4d's
 * "60/80/90 % of 300 epochs" is [180, 240, 270].
 */
export const StepSchedule = z
  .strictObject({
    kind: z.literal('step'),
    milestones: z.array(PositiveInt).min(1),
    // SPEC §4d: ICLR ANN divides by 10 (its SNN script by 5: gamma 0.2).
    gamma: PositiveNumber.default(0.1),
  })
  .refine((s) => s.milestones.every((m, i) => i === 0 || m > (s.milestones[i - 1] ?? 0)), {
    path: ['milestones'],
    message: 'milestones must be strictly increasing epoch numbers',
  });

/**
 * Cosine annealing per epoch, PyTorch CosineAnnealingLR: lr_e = etaMin + (lr − etaMin)·(1 + cos(π·e/tMax))/2,
 * which keeps cycling past tMax (SPEC §4d: DIET uses T_max 64/128 over 300 epochs). tMax defaults to the run's epochs.
 */
export const CosineSchedule = z.strictObject({
  kind: z.literal('cosine'),
  tMax: PositiveInt.optional(),
  etaMin: NonNegativeNumber.default(0),
});

export const ScheduleSpec = z.discriminatedUnion('kind', [ConstantSchedule, StepSchedule, CosineSchedule]);
export type ScheduleSpec = z.infer<typeof ScheduleSpec>;
export type ScheduleSpecInput = z.input<typeof ScheduleSpec>;

export const TrainConfig = z.strictObject({
  method: TrainMethod,
  /** Timesteps per image (1 for 'ann'; SPEC §2: the general SNN runs at T = 1). */
  timesteps: PositiveInt,
  /** Epochs to train; 0 evaluates the initial (e.g. converted) network only. */
  epochs: NonNegativeInt,
  // SPEC §4d: DIET SNN batch 64.
  batchSize: PositiveInt.default(64),
  optimizer: OptimizerSpec.prefault({ kind: 'adam' }),
  schedule: ScheduleSpec.prefault({ kind: 'constant' }),
  /** Seeds weight init, shuffling, dropout masks and stochastic encodings. */
  seed: NonNegativeInt.default(0),
  /** Use only the first N training / test images (after the seeded shuffle for training). */
  limitTrain: PositiveInt.optional(),
  limitTest: PositiveInt.optional(),
  // SPEC §4b: DIET feeds the analog image directly.
  encoding: EncodingSpec.prefault({ kind: 'direct' }),
  /** Hidden-neuron model; absent = the method's default (diet: lif, hybrid: singleSpikeLif, general: general). */
  neuron: NeuronSpec.optional(),
  /** Overrides the neuron's surrogate gradient. */
  surrogate: SurrogateSpec.optional(),
  // SPEC §4c: softmax CE on the output membrane.
  loss: LossSpec.prefault({ kind: 'ce' }),
  /** Overrides the rate of every dropout layer of the model. */
  dropout: HalfOpenUnitInterval.optional(),
  /** Write a checkpoint every N epochs (0 = only at the end). */
  checkpointEvery: NonNegativeInt.default(1),
  /** Force a tfjs backend; absent = the engine's choice (DESIGN "Engine"). */
  backend: Backend.optional(),
});
export type TrainConfig = z.infer<typeof TrainConfig>;
export type TrainConfigInput = z.input<typeof TrainConfig>;
