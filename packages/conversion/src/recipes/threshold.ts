/**
 * `threshold`: plain rate conversion with direct (analog) input. Weights are copied; every
 * ReLU-like activation becomes an IF (or LIF, λ = 1) neuron with θ_l = scale · statistic_l of
 * its input on the calibration images (max, or a percentile such as 99.9 / 99.7), soft reset
 * (subtract θ) by default; any T. The ANN is approximated by the firing rate × θ.
 */
import { parseWith, NeuronSpec } from '@spikelite/schemas';
import type { ActivationNode, LayerCheck, RecipeDefinition } from './types.js';

/** Which activations an IF/LIF neuron (non-negative output, zero at 0) can stand for. */
export function reluLikeCheck(node: ActivationNode, recipe: string): LayerCheck {
  const fn = node.layer.fn;
  switch (fn) {
    case 'relu':
      return { ok: true };
    case 'relu6':
      return { ok: true, note: 'relu6: the clip at 6 is not kept (an IF neuron is clipped at its threshold instead)' };
    case 'silu':
      return { ok: true, note: 'silu approximated as relu (an IF neuron cannot emit silu\'s negative dip, min −0.28)' };
    default:
      return {
        ok: false,
        reason: `${node.path} (${fn}): the ${recipe} recipe maps only relu-like activations (relu, relu6, silu≈relu) onto IF/LIF neurons, which emit non-negative rates that are 0 at input 0; ${fn} is not one of them (use --method fs)`,
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
    const threshold = ctx.thresholds![node.index]! * r.scale;
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
