/**
 * `fs` (Stöckl & Maass, SPEC §3): every activation becomes a K-step FS neuron, no retraining.
 *
 * ReLU, ReLU6 and clips at 0 use the closed form h = d = T = α·2^−t: a K-bit quantizer of
 * [0, α(1 − 2^−K)]. By default (reluAlpha 'max') α is set per layer so that the largest input
 * seen in calibration is the top of the range (capped at the activation's own bound: 6 for
 * ReLU6); SPEC §3a's fixed α = 25 is reluAlpha 25.
 *
 * Every other activation (SiLU, sigmoid, hard-swish, hard-sigmoid, tanh, ELU, GELU, leaky ReLU)
 * gets coefficients fitted on its own layer's observed inputs (`fit: 'samples'`, the default):
 * the MSE follows the input distribution, so a first conv's constant background — a handful of
 * point masses per channel — is fitted where it is, not on a uniform range. The fit starts from
 * the published set (SiLU K = 16, sigmoid K = 12) or spikelite's reference set (reference.ts in
 * @spikelite/neurons) and runs one short warm restart with a small spike penalty. `fit: 'missing'`
 * is the paper's behaviour: published or reference sets as they are, a fit only where there is
 * none; `fit: 'layer'` fits on a uniform grid over the layer's input range.
 */
import { fitFsCoefficients, fsFitLoss, fsReluCoefficients, FS_REFERENCE_COEFFICIENTS, FS_SIGMOID_COEFFICIENTS, FS_SILU_COEFFICIENTS } from '@spikelite/neurons';
import { scalarActivation } from '@spikelite/models';
import { FS_DEFAULT_K, NeuronSpec, parseWith, type FsCoefficients } from '@spikelite/schemas';
import type { ActivationNode, LayerCheck, RecipeContext, RecipeDefinition, RecipeOf } from './types.js';
import { ACTIVATION_SAMPLES } from '../stats.js';

/** Starting sets: the paper's published ones, then spikelite's reference fits (default parameters only). */
function baseSet(node: ActivationNode): { set: FsCoefficients; source: 'published' | 'reference' } | undefined {
  const l = node.layer;
  if (l.fn === 'silu') return { set: FS_SILU_COEFFICIENTS, source: 'published' };
  if (l.fn === 'sigmoid') return { set: FS_SIGMOID_COEFFICIENTS, source: 'published' };
  const near = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) < 1e-6;
  const ref =
    l.fn === 'hardSwish' ? FS_REFERENCE_COEFFICIENTS.hardSwish
    : l.fn === 'hardSigmoid' && near(l.alpha, 1 / 6) && near(l.beta, 0.5) ? FS_REFERENCE_COEFFICIENTS.hardSigmoid
    : l.fn === 'tanh' ? FS_REFERENCE_COEFFICIENTS.tanh
    : l.fn === 'elu' && near(l.alpha, 1) ? FS_REFERENCE_COEFFICIENTS.elu
    : l.fn === 'gelu' && l.approximate !== 'tanh' ? FS_REFERENCE_COEFFICIENTS.gelu
    : l.fn === 'leakyRelu' && near(l.alpha, 0.01) ? FS_REFERENCE_COEFFICIENTS.leakyRelu
    : undefined;
  return ref === undefined ? undefined : { set: ref, source: 'reference' };
}

/**
 * `fit: 'samples'` settings, chosen on fmnist-resnet-silu (README): Adam's lr from U(0.001, 0.01)
 * for a warm start (the paper's U(0.09, 0.5) throws the published set away in the first steps),
 * one short restart when warm, and the spike penalty λ = 0.001 (mean spikes per input), which kept
 * the fitted sets at about the published set's spike count (λ = 0: 3.2 spikes/neuron instead of 2.2).
 */
export const FS_SAMPLE_FIT = { warmLr: [0.001, 0.01] as const, spikePenalty: 0.001, warmIterations: 300 };

function scalarFn(node: ActivationNode): (x: number) => number {
  const f = scalarActivation(node.layer);
  if (f === null) throw new Error(`${node.path} (${node.layer.fn}): no scalar form to fit FS coefficients to`);
  return f;
}

/** The closed-form activations: ReLU, ReLU6, a clip with its lower bound at 0. */
function reluBound(node: ActivationNode): number | null | undefined {
  const l = node.layer;
  if (l.fn === 'relu') return null;
  if (l.fn === 'relu6') return 6;
  if (l.fn === 'clip' && l.min === 0) return l.max ?? null;
  return undefined;
}

/** K for this activation: the recipe's, else its starting set's length (ReLU 10), else 16. */
function stepsFor(node: ActivationNode, recipe: RecipeOf<'fs'>): number {
  const given = recipe.coefficients?.[node.layer.fn as 'relu' | 'silu' | 'sigmoid'];
  if (given) return given.h.length;
  if (recipe.K !== undefined) return recipe.K;
  if (reluBound(node) !== undefined) return FS_DEFAULT_K.relu;
  return baseSet(node)?.set.h.length ?? FS_DEFAULT_K.silu;
}

/** How this activation gets its coefficients: closed form, given, a stored set, or fitted. */
function source(node: ActivationNode, recipe: RecipeOf<'fs'>): 'closed' | 'given' | 'stored' | 'fit' {
  if (recipe.coefficients?.[node.layer.fn as 'relu' | 'silu' | 'sigmoid']) return 'given';
  if (reluBound(node) !== undefined) return 'closed';
  if (recipe.fit === 'layer' || recipe.fit === 'samples') return 'fit';
  const base = baseSet(node);
  return base !== undefined && base.set.h.length === stepsFor(node, recipe) ? 'stored' : 'fit';
}

export function fsCheck(node: ActivationNode, recipe: RecipeOf<'fs'>, canFit: boolean): LayerCheck {
  if (node.layer.fn === 'prelu') {
    return { ok: false, reason: `${node.path} (prelu): a PReLU has a learned slope per channel, so no one FS neuron fits the layer; export the model with a fixed-slope LeakyReLU` };
  }
  const s = source(node, recipe);
  if (s !== 'fit') return { ok: true };
  const K = stepsFor(node, recipe);
  const base = baseSet(node);
  const why =
    recipe.fit === 'layer' ? `fit 'layer' asks for coefficients fitted on this layer's input range`
    : recipe.fit === 'samples' ? `coefficients fitted on this layer's observed inputs${base ? ` from the ${base.source} set` : ''}`
    : base !== undefined ? `the ${base.source} ${node.layer.fn} coefficients are for K = ${base.set.h.length}, not ${K}`
    : `no stored FS coefficients for ${node.layer.fn}`;
  if (!canFit) return { ok: false, reason: `${node.path} (${node.layer.fn}): ${why}; give recipe.coefficients or allow fitting (fitFsCoefficients)` };
  return { ok: true, note: why };
}

function coefficientsFor(node: ActivationNode, ctx: RecipeContext<RecipeOf<'fs'>>): { c: FsCoefficients | undefined; note: string | null } {
  const r = ctx.recipe;
  const K = stepsFor(node, r);
  const st = ctx.stats[node.index]!;
  switch (source(node, r)) {
    case 'given':
      return { c: r.coefficients![node.layer.fn as 'relu' | 'silu' | 'sigmoid'], note: 'coefficients from the recipe' };
    case 'stored': {
      const base = baseSet(node)!;
      return { c: base.source === 'published' ? undefined : base.set, note: base.source === 'reference' ? `spikelite's reference ${node.layer.fn} set` : null };
    }
    case 'closed': {
      const bound = reluBound(node)!;
      const top = 1 - 2 ** -K;
      // The largest input of calibration at the top of the range, or the activation's own bound.
      const seen = st.max > 0 && Number.isFinite(st.max) ? st.max : 1;
      const alpha = r.reluAlpha === 'max' ? Math.min(seen, bound ?? Infinity) / top : bound !== null ? Math.min(bound, r.reluAlpha * top) / top : r.reluAlpha;
      const clip = alpha * top;
      const over = bound === null && st.max > clip * (1 + 1e-6) ? `inputs up to ${st.max.toFixed(2)} exceed the clip α(1−2^−K) = ${clip.toFixed(2)}` : null;
      return { c: fsReluCoefficients(K, alpha), note: over ?? `α = ${alpha.toPrecision(4)} (clip at ${clip.toPrecision(4)})` };
    }
    case 'fit': {
      if (r.fit === 'samples') return fitOnSamples(node, ctx, K);
      const lo = Math.max(st.min, st.mean - 4 * st.std);
      const hi = Math.min(st.max, st.mean + 4 * st.std);
      const range: [number, number] = hi > lo ? [lo, hi] : [st.mean - 1, st.mean + 1];
      const fit = fitFsCoefficients(scalarFn(node), { K, range, restarts: ctx.fsFit.restarts, iterations: ctx.fsFit.iterations, seed: ctx.fsFit.seed });
      ctx.log(`${node.path} (${node.layer.fn}): fitted FS coefficients, K = ${K}, on [${range[0].toFixed(2)}, ${range[1].toFixed(2)}], mse ${fit.mse.toExponential(2)}`);
      return { c: fit.coefficients, note: `fitted on [${range[0].toFixed(2)}, ${range[1].toFixed(2)}], mse ${fit.mse.toExponential(2)}` };
    }
  }
}

/**
 * Warm starts for a layer, best first by their MSE on the layer's samples: the stored set, and
 * for functions that are ReLU-like at large |x| (SiLU, hard-swish, GELU, ELU, leaky ReLU) the
 * ReLU quantizer scaled to the layer's largest input — the stored sets cover about [−8, 8], and
 * a layer whose inputs reach hundreds (deep residual sums) is better started from the ReLU.
 */
function warmStarts(node: ActivationNode, K: number, samples: Float32Array, f: (x: number) => number): Array<{ set: FsCoefficients; what: string; mse: number }> {
  const base = baseSet(node);
  const out: Array<{ set: FsCoefficients; what: string }> = [];
  if (base !== undefined && base.set.h.length === K) out.push({ set: base.set, what: `the ${base.source} set` });
  if (['silu', 'hardSwish', 'gelu', 'elu', 'leakyRelu'].includes(node.layer.fn)) {
    let max = 0;
    for (const x of samples) if (x > max) max = x;
    if (max > 0) out.push({ set: fsReluCoefficients(K, max / (1 - 2 ** -K)), what: 'the ReLU set at the layer\'s range' });
  }
  const y = Float64Array.from(samples, f);
  return out.map((o) => ({ ...o, mse: fsFitLoss(samples, y, o.set).mse })).sort((a, b) => a.mse - b.mse);
}

/** `fit: 'samples'`: fit on the layer's input subsample, warm from the best stored or ReLU start at this K. */
function fitOnSamples(node: ActivationNode, ctx: RecipeContext<RecipeOf<'fs'>>, K: number): { c: FsCoefficients; note: string } {
  const st = ctx.stats[node.index]!;
  if (st.samples.length === 0) throw new Error(`${node.path} (${node.layer.fn}): fit 'samples' needs input samples, but the calibration pass kept none`);
  const f = scalarFn(node);
  const start = warmStarts(node, K, st.samples, f)[0];
  const warm = Math.min(ctx.fsFit.iterations, FS_SAMPLE_FIT.warmIterations);
  const fit = fitFsCoefficients(f, {
    K,
    samples: st.samples,
    seed: ctx.fsFit.seed,
    spikePenalty: FS_SAMPLE_FIT.spikePenalty,
    ...(start !== undefined
      ? { init: start.set, restarts: 1, lr: FS_SAMPLE_FIT.warmLr, iterations: warm, maxIterations: warm }
      : { restarts: ctx.fsFit.restarts, iterations: ctx.fsFit.iterations }),
  });
  const what = `fitted on ${st.samples.length} input samples${start ? ` from ${start.what}` : ''}, mse ${fit.mse.toExponential(2)}, ${fit.spikes.toFixed(2)} spikes/input`;
  ctx.log(`${node.path} (${node.layer.fn}): FS coefficients, K = ${K}, ${what}`);
  return { c: fit.coefficients, note: what };
}

export const fsRecipe: RecipeDefinition<'fs'> = {
  kind: 'fs',
  about: 'FS neurons (Stöckl & Maass): each activation becomes a K-step few-spike neuron; no retraining',
  timesteps: () => 1,
  reportedSteps: (r) => r.K ?? FS_DEFAULT_K.relu,
  check: (node, recipe, o) => fsCheck(node, recipe, o.canFit),
  statsSamples: (r) => (r.fit === 'samples' ? ACTIVATION_SAMPLES : 0),
  calibration: () => null,
  plan(node, ctx) {
    const { c, note } = coefficientsFor(node, ctx);
    const fn = node.layer.fn;
    // Without coefficients the neuron uses its activation's published set (silu, sigmoid).
    const activation = c === undefined ? (fn as 'silu' | 'sigmoid') : fn === 'relu' ? 'relu' : 'custom';
    const neuron = parseWith(
      NeuronSpec,
      { kind: 'fs', activation, K: stepsFor(node, ctx.recipe), ...(c ? { coefficients: c } : {}) },
      `${node.path} neuron`,
    );
    return { neuron, threshold: null, note };
  },
  input: () => ({ analogSteps: 1, inputSpikesPerElement: 0 }),
  gradedSpikes: true,
};
