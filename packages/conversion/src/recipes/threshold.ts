/**
 * `threshold`: plain rate conversion with direct (analog) input. Weights are copied; every
 * ReLU-like activation becomes an IF (or LIF, λ = 1) neuron with θ_l = scale · statistic_l of
 * its input on the calibration images (max, or a percentile such as 99.9 / 99.7), soft reset
 * (subtract θ) by default; any T. The ANN is approximated by the firing rate × θ.
 */
import { parseWith, NeuronSpec } from '@spikelite/schemas';
import type { ActivationNode, LayerCheck, RecipeDefinition } from './types.js';

/** The upper bound of a bounded ReLU (ReLU6, a clip at 0 and M), or Infinity. */
export function reluBound(node: ActivationNode): number {
  const l = node.layer;
  if (l.fn === 'relu6') return 6;
  if (l.fn === 'clip' && l.max !== undefined) return l.max;
  return Infinity;
}

/**
 * The threshold of an IF/LIF neuron for this activation: the calibration statistic, clamped at
 * a bounded ReLU's bound (ReLU6: an IF neuron clips its rate at θ, so θ = 6 is the clip), times
 * the recipe's scale.
 */
export function calibratedThreshold(node: ActivationNode, raw: number, scale: number): number {
  return Math.min(raw, reluBound(node)) * scale;
}

const describeNode = (node: ActivationNode): string => `${node.path}${node.layer.name ? ` '${node.layer.name}'` : ''} (${node.layer.fn})`;

/** Which activations an IF/LIF neuron (non-negative output, zero at 0) can stand for. */
export function reluLikeCheck(node: ActivationNode, recipe: string): LayerCheck {
  const l = node.layer;
  switch (l.fn) {
    case 'relu':
      return { ok: true };
    case 'relu6':
      return { ok: true, note: 'relu6: the threshold is clamped at 6, where an IF neuron clips its rate' };
    case 'silu':
      return { ok: true, note: 'silu approximated as relu (an IF neuron cannot emit silu\'s negative dip, min −0.28)' };
    case 'clip':
      if (l.min === 0) return { ok: true, note: `clip(0, ${l.max ?? '∞'}): the threshold is clamped at the upper bound` };
    // fall through: a clip with another lower bound is not ReLU-like
    default:
      return {
        ok: false,
        reason: `${describeNode(node)}: the ${recipe} recipe maps only ReLU-like activations (relu, relu6, clip at 0, silu≈relu) onto IF/LIF neurons, which emit non-negative rates that are 0 at input 0; convert ${l.fn} with the fs recipe (--method fs)`,
      };
  }
}

export const thresholdRecipe: RecipeDefinition<'threshold'> = {
  kind: 'threshold',
  about: 'rate conversion: IF/LIF neurons, thresholds from calibration × scale, soft reset, direct input, any T',
  timesteps: (r) => r.timesteps,
  reportedSteps: (r) => r.timesteps,
  check: (node) => reluLikeCheck(node, 'threshold'),
  calibration: (r) => ({ statistic: r.calibration.statistic, percentile: r.calibration.percentile }),
  plan(node, ctx) {
    const r = ctx.recipe;
    const threshold = calibratedThreshold(node, ctx.thresholds![node.index]!, r.scale);
    const neuron =
      r.neuron === 'if'
        ? parseWith(NeuronSpec, { kind: 'if', threshold, reset: r.reset }, `${node.path} neuron`)
        : parseWith(NeuronSpec, { kind: 'lif', leak: 1, threshold, reset: r.reset, trainLeak: false, trainThreshold: false }, `${node.path} neuron`);
    const c = reluLikeCheck(node, 'threshold');
    return { neuron, threshold, note: c.ok ? (c.note ?? null) : null };
  },
  input: (r) => ({ analogSteps: r.timesteps, inputSpikesPerElement: 0 }),
  gradedSpikes: false,
};
