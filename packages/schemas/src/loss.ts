/** Training losses on the output layer's trace over T timesteps. */
import { z } from 'zod';
import { HalfOpenUnitInterval, NonNegativeNumber } from './common.js';

/**
 * Softmax cross-entropy on the output. 'final' = the output at the last step (for an
 * integrator output that is U(T), SPEC §4c); 'mean' = the output averaged over the T steps.
 * For an integrator the two differ only by a temperature; 'mean' keeps logit scale
 * independent of T.
 */
export const CeLoss = z.strictObject({
  kind: z.literal('ce'),
  on: z.enum(['final', 'mean']).default('mean'),
  labelSmoothing: HalfOpenUnitInterval.default(0),
});
export type CeLoss = z.infer<typeof CeLoss>;

/**
 * Hybrid-encoding loss (SPEC §1c, a placeholder there: the paper's formula is UNKNOWN):
 * L = membraneWeight·CE(softmax(U(T))) + timeWeight·CE(softmax(−t_out)).
 */
export const SpikeTimeCeLoss = z
  .strictObject({
    kind: z.literal('spikeTimeCe'),
    membraneWeight: NonNegativeNumber.default(1),
    timeWeight: NonNegativeNumber.default(1),
    // SPEC §1c: an output neuron that never fires gets t_out = T + 1.
    silentTime: z.enum(['Tplus1']).default('Tplus1'),
  })
  .refine((l) => l.membraneWeight > 0 || l.timeWeight > 0, {
    message: 'membraneWeight and timeWeight cannot both be 0',
  });
export type SpikeTimeCeLoss = z.infer<typeof SpikeTimeCeLoss>;

/** Mean squared error between each output neuron's spike count over T and its target count. */
export const SpikeCountLoss = z.strictObject({
  kind: z.literal('spikeCount'),
  /** Target spikes of the true class's output neuron over all T steps. */
  targetTrue: NonNegativeNumber,
  /** Target spikes of every other output neuron. */
  targetFalse: NonNegativeNumber,
});
export type SpikeCountLoss = z.infer<typeof SpikeCountLoss>;

/**
 * FS coefficient fit (SPEC §3c): mean(imp·(f − f̂)²) + c·Σ_t mean(max(|v_s| − 1, 0))², with the
 * regularizer weight c drawn from U(min, max) at every step.
 */
export const FsFitLoss = z
  .strictObject({
    kind: z.literal('fsFit'),
    // SPEC §3c: c ~ U(0.08, 0.12).
    regularizer: z.tuple([NonNegativeNumber, NonNegativeNumber]).default([0.08, 0.12]),
  })
  .refine((l) => l.regularizer[0] <= l.regularizer[1], {
    path: ['regularizer'],
    message: 'regularizer must be [min, max] with min ≤ max',
  });
export type FsFitLoss = z.infer<typeof FsFitLoss>;

export const LossSpec = z.discriminatedUnion('kind', [CeLoss, SpikeTimeCeLoss, SpikeCountLoss, FsFitLoss]);
export type LossSpec = z.infer<typeof LossSpec>;
export type LossSpecInput = z.input<typeof LossSpec>;
export type LossKind = LossSpec['kind'];
