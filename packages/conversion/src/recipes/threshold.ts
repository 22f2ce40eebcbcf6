/**
 * `threshold`: plain rate conversion with direct (analog) input. Weights are copied; every
 * ReLU-like activation becomes an IF (or LIF, λ = 1) neuron with θ_l = scale · statistic_l of
 * its input on the calibration images (max, or a percentile such as 99.9 / 99.7), soft reset
 * (subtract θ) by default; any T. The ANN is approximated by the firing rate × θ.
 */
import { parseWith, NeuronSpec } from '@spikelite/schemas';
import type { ActivationNode, LayerCheck, LayerThreshold, RecipeDefinition } from './types.js';

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
export function calibratedThreshold(node: ActivationNode, raw: number, scale: number): number;
export function calibratedThreshold(node: ActivationNode, raw: LayerThreshold, scale: number): LayerThreshold;
export function calibratedThreshold(node: ActivationNode, raw: LayerThreshold, scale: number): LayerThreshold {
  const bound = reluBound(node);
  return typeof raw === 'number' ? Math.min(raw, bound) * scale : raw.map((v) => Math.min(v, bound) * scale);
}

/**
 * The LIF spec (λ = 1 to start) of a converted layer. A per-channel threshold needs LIF's
 * 'channel' granularity (IF holds one θ per layer; LIF with λ = 1 fixed is the same neuron): the
 * spec holds a placeholder θ = 1 and convert sets the channels' values on the built layer.
 */
export function lifSpec(node: ActivationNode, threshold: LayerThreshold, extra: Record<string, unknown>): NeuronSpec {
  const perChannel = typeof threshold !== 'number';
  return parseWith(NeuronSpec, { kind: 'lif', leak: 1, threshold: perChannel ? 1 : threshold, ...(perChannel ? { granularity: 'channel' } : {}), ...extra }, `${node.path} neuron`);
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
  about: 'rate conversion: IF/LIF neurons, thresholds per channel from calibration × scale, membrane starting at θ/2, soft reset, direct input, any T',
  timesteps: (r) => r.timesteps,
  reportedSteps: (r) => r.timesteps,
  check: (node) => reluLikeCheck(node, 'threshold'),
  calibration: (r) => ({ statistic: r.calibration.statistic, percentile: r.calibration.percentile, granularity: r.calibration.granularity }),
  plan(node, ctx) {
    const r = ctx.recipe;
    const threshold = calibratedThreshold(node, ctx.thresholds![node.index]!, r.scale);
    const neuron =
      r.neuron === 'if' && typeof threshold === 'number'
        ? parseWith(NeuronSpec, { kind: 'if', threshold, reset: r.reset, initialPotential: r.initialPotential }, `${node.path} neuron`)
        : lifSpec(node, threshold, { reset: r.reset, initialPotential: r.initialPotential, trainLeak: false, trainThreshold: false });
    const c = reluLikeCheck(node, 'threshold');
    return { neuron, threshold, note: c.ok ? (c.note ?? null) : null };
  },
  input: (r) => ({ analogSteps: r.timesteps, inputSpikesPerElement: 0 }),
  gradedSpikes: false,
  channelThresholds: true,
  biasCorrection: (r) => r.biasCorrection === true,
};
