/**
 * `hybrid` (single-spike hybrid input encoding, Datta, Kundu & Beerel; SPEC §1) as a
 * conversion: every ReLU-like activation becomes a single-spike LIF (λ = 1 fixed, θ trainable,
 * reset to 0 and masked after its one spike) with θ = scale · calibrated threshold; the input
 * is the analog image at step 0, then one temporal spike per non-black pixel (brighter
 * earlier); the output is the integrator U(T). Finalising fine-tunes weights and θ with the
 * spike-time + membrane loss L = CE(U(T)) + CE(−t_out), t_out the first crossing of θ_out
 * (derived from the converted SNN, see output-threshold.ts). The same choices as
 * `spikelite train --method hybrid`; the reasons and measurements are in packages/pipelines/README.md.
 */
import { EncodingSpec, NeuronSpec, parseWith } from '@spikelite/schemas';
import { deriveOutputThreshold } from '../output-threshold.js';
import { finetuneSnn, type FinetunePlan } from './finetune.js';
import { calibratedThreshold, reluLikeCheck } from './threshold.js';
import type { RecipeDefinition, RecipeOf } from './types.js';

/**
 * The hidden neuron. 'linear' (default): γ = 0.3 before the spike, masked after it, so a
 * neuron that has fired gets no more gradient; 'stdb': the neuron's STDB variant, which
 * keeps α·exp(−β|t − t_s|) after the spike although the output is masked.
 */
export function hybridNeuron(surrogate: 'stdb' | 'linear' = 'linear', threshold?: number): NeuronSpec {
  return parseWith(
    NeuronSpec,
    { kind: 'singleSpikeLif', ...(threshold !== undefined ? { threshold } : {}), ...(surrogate === 'linear' ? { surrogate: { kind: 'linear', gamma: 0.3 } } : {}) },
    'neuron',
  );
}

/** Analog at step 0, temporal (linear time-to-spike, from step 1) after: SPEC §1b's default. */
export function hybridEncoding(): EncodingSpec {
  return parseWith(EncodingSpec, { kind: 'hybrid', analogSteps: 1 }, 'encoding');
}

/**
 * The hybrid fine-tune: the spike-time + membrane loss against θ_out (`outputThreshold`, see
 * output-threshold.ts), single-spike neurons, hybrid input (also @spikelite/pipelines' hybrid method).
 */
export function hybridFinetunePlan(r: RecipeOf<'hybrid'>, outputThreshold: number): FinetunePlan {
  return {
    method: 'hybrid', timesteps: r.timesteps, epochs: r.finetuneEpochs, optimizer: r.optimizer,
    loss: { kind: 'spikeTimeCe', membraneWeight: 1, timeWeight: 1 }, neuron: hybridNeuron(r.surrogate), encoding: hybridEncoding(),
    target: { outputThreshold },
  };
}

export const hybridRecipe: RecipeDefinition<'hybrid'> = {
  kind: 'hybrid',
  about: 'single-spike hybrid encoding: analog input at t=0 then temporal spikes, single-spike neurons, spike-time + membrane fine-tune',
  timesteps: (r) => r.timesteps,
  reportedSteps: (r) => r.timesteps,
  check: (node) => reluLikeCheck(node, 'hybrid'),
  precondition: (r, finetune) =>
    r.finetuneEpochs > 0 && finetune === undefined ? `the hybrid recipe fine-tunes for ${r.finetuneEpochs} epoch(s) and needs training data (options.finetune)` : null,
  calibration: (r) => ({ statistic: r.calibration.statistic, percentile: r.calibration.percentile, granularity: r.calibration.granularity }),
  encoding: () => hybridEncoding(),
  plan(node, ctx) {
    // validateConversion refuses per-channel thresholds for this recipe: one value per layer here.
    const threshold = calibratedThreshold(node, ctx.thresholds![node.index] as number, ctx.recipe.scale);
    const c = reluLikeCheck(node, 'hybrid');
    return { neuron: hybridNeuron(ctx.recipe.surrogate, threshold), threshold, note: c.ok ? (c.note ?? null) : null };
  },
  // inputSpikesPerElement is measured on the calibration images by convert (measureInput).
  input: () => ({ analogSteps: 1, inputSpikesPerElement: 0 }),
  measureInput: true,
  gradedSpikes: false,
  async finalise(snn, r, finetune, log, { calibrationImages }) {
    if (r.finetuneEpochs === 0 || finetune === undefined) return null;
    const outputThreshold = r.outputThreshold ?? deriveOutputThreshold(snn, calibrationImages, r.outputThresholdFraction);
    log(`hybrid: output threshold θ_out = ${outputThreshold.toFixed(4)}${r.outputThreshold === undefined ? ` (${r.outputThresholdFraction} × median max U(T) on ${calibrationImages.shape[0]} calibration images)` : ''}`);
    return finetuneSnn(snn, finetune, hybridFinetunePlan(r, outputThreshold), log);
  },
};
