/**
 * `diet` (DIET-SNN, SPEC §4d): threshold conversion onto LIF neurons (λ = 1 to start, λ and θ
 * trainable, soft reset, direct input) with θ_l = scale · balanced threshold, then
 * surrogate-gradient (linear, γ = 0.3) BPTT fine-tuning of weights, leaks and thresholds at
 * T steps on the caller's training data for recipe.finetuneEpochs epochs.
 */
import { NeuronSpec, parseWith } from '@spikelite/schemas';
import { finetuneSnn, type FinetunePlan } from './finetune.js';
import { calibratedThreshold, lifSpec, reluLikeCheck } from './threshold.js';
import type { RecipeDefinition, RecipeOf } from './types.js';

/** DIET's fine-tune: CE on U(T), LIF neurons with trainable λ and θ, direct input (also @spikelite/pipelines' diet method). */
export function dietFinetunePlan(r: RecipeOf<'diet'>): FinetunePlan {
  const neuron = parseWith(NeuronSpec, { kind: 'lif', leak: 1, threshold: 1, granularity: r.calibration.granularity, initialPotential: r.initialPotential }, 'neuron');
  return { method: 'diet', timesteps: r.timesteps, epochs: r.finetuneEpochs, optimizer: r.optimizer, loss: { kind: 'ce', on: 'final' }, neuron, encoding: { kind: 'direct' } };
}

export const dietRecipe: RecipeDefinition<'diet'> = {
  kind: 'diet',
  about: 'DIET-SNN: threshold conversion onto LIF (trainable λ, θ), then surrogate-gradient fine-tuning at T steps',
  timesteps: (r) => r.timesteps,
  reportedSteps: (r) => r.timesteps,
  check: (node) => reluLikeCheck(node, 'diet'),
  precondition: (r, finetune) =>
    r.finetuneEpochs > 0 && finetune === undefined ? `the diet recipe fine-tunes for ${r.finetuneEpochs} epoch(s) and needs training data (options.finetune)` : null,
  calibration: (r) => ({ statistic: r.calibration.statistic, percentile: r.calibration.percentile, granularity: r.calibration.granularity }),
  plan(node, ctx) {
    const threshold = calibratedThreshold(node, ctx.thresholds![node.index]!, ctx.recipe.scale);
    const neuron = lifSpec(node, threshold, { initialPotential: ctx.recipe.initialPotential });
    const c = reluLikeCheck(node, 'diet');
    return { neuron, threshold, note: c.ok ? (c.note ?? null) : null };
  },
  input: (r) => ({ analogSteps: r.timesteps, inputSpikesPerElement: 0 }),
  gradedSpikes: false,
  channelThresholds: true,
  biasCorrection: (r) => r.biasCorrection === true,
  async finalise(snn, r, finetune, log) {
    if (r.finetuneEpochs === 0 || finetune === undefined) return null;
    return finetuneSnn(snn, finetune, dietFinetunePlan(r), log);
  },
};
