/**
 * `fs` (Stöckl & Maass, SPEC §3): every activation becomes a K-step FS neuron, no retraining.
 * ReLU uses the closed form h = d = T = α·2^−t (any K; α = recipe.reluAlpha), relu6 the same
 * with α chosen so the clip is at 6; SiLU (K = 16) and sigmoid (K = 12) the published
 * coefficients; coefficients in the recipe replace those. Any other activation, or SiLU/sigmoid
 * at another K, gets coefficients fitted with `fitFsCoefficients` on the observed input range
 * (mean ± 4σ of its ANN pre-activation, within the observed min/max); with `fit: 'layer'`
 * every non-ReLU activation is fitted that way, on its own layer's range. With `fit: 'samples'`
 * every non-ReLU activation is fitted on a subsample of its layer's observed inputs instead of a
 * uniform grid, so the MSE is weighted by how often each input occurs: a first conv's constant
 * background is a handful of point masses per channel (35 % of the inputs on Fashion-MNIST), and
 * the published SiLU set's error there (up to 0.15) shifts whole feature maps coherently.
 */
import { scalarActivation } from '@spikelite/models';
import { fitFsCoefficients, fsReluCoefficients, FS_SIGMOID_COEFFICIENTS, FS_SILU_COEFFICIENTS } from '@spikelite/neurons';
import { FS_DEFAULT_K, NeuronSpec, parseWith, type FsCoefficients } from '@spikelite/schemas';
import type { ActivationNode, LayerCheck, RecipeContext, RecipeDefinition, RecipeOf } from './types.js';
import { ACTIVATION_SAMPLES } from '../stats.js';

type Fn = ActivationNode['layer']['fn'];

const PUBLISHED: Partial<Record<Fn, number>> = { silu: FS_DEFAULT_K.silu, sigmoid: FS_DEFAULT_K.sigmoid };
const PUBLISHED_SETS: Partial<Record<Fn, FsCoefficients>> = { silu: FS_SILU_COEFFICIENTS, sigmoid: FS_SIGMOID_COEFFICIENTS };

/**
 * `fit: 'samples'` settings, chosen on fmnist-resnet-silu (README): Adam's lr from U(0.001, 0.01)
 * for a warm start (the paper's U(0.09, 0.5) throws the published set away in the first steps),
 * one restart when warm, and the spike penalty λ = 0.001 (mean spikes per input), which kept
 * the fitted sets at about the published set's spike count (λ = 0: 3.2 spikes/neuron instead of 2.2).
 */
export const FS_SAMPLE_FIT = { warmLr: [0.001, 0.01] as const, spikePenalty: 0.001 };

function scalarFn(node: ActivationNode): (x: number) => number {
  const f = scalarActivation(node.layer);
  if (f === null) throw new Error(`${node.path} (${node.layer.fn}): no scalar form to fit FS coefficients to`);
  return f;
}

/** K for this activation: the recipe's, else the published length (ReLU 10, SiLU 16, sigmoid 12), else 16. */
function stepsFor(node: ActivationNode, recipe: RecipeOf<'fs'>): number {
  const given = recipe.coefficients?.[node.layer.fn as 'relu' | 'silu' | 'sigmoid'];
  if (given) return given.h.length;
  if (recipe.K !== undefined) return recipe.K;
  const fn = node.layer.fn;
  return fn === 'relu' || fn === 'relu6' ? FS_DEFAULT_K.relu : (PUBLISHED[fn] ?? FS_DEFAULT_K.silu);
}

/** How this activation gets its coefficients: closed form, given, published, or fitted. */
function source(node: ActivationNode, recipe: RecipeOf<'fs'>): 'closed' | 'given' | 'published' | 'fit' {
  const fn = node.layer.fn;
  if (recipe.coefficients?.[fn as 'relu' | 'silu' | 'sigmoid']) return 'given';
  if (fn === 'relu' || fn === 'relu6') return 'closed';
  if (recipe.fit === 'layer' || recipe.fit === 'samples') return 'fit';
  if (PUBLISHED[fn] !== undefined && PUBLISHED[fn] === stepsFor(node, recipe)) return 'published';
  return 'fit';
}

export function fsCheck(node: ActivationNode, recipe: RecipeOf<'fs'>, canFit: boolean): LayerCheck {
  const s = source(node, recipe);
  if (s !== 'fit') return { ok: true };
  const K = stepsFor(node, recipe);
  const why = recipe.fit === 'layer' ? `fit 'layer' asks for coefficients fitted on this layer's input range` : recipe.fit === 'samples' ? `fit 'samples' asks for coefficients fitted on this layer's observed inputs` : PUBLISHED[node.layer.fn] !== undefined ? `the published ${node.layer.fn} coefficients are for K = ${PUBLISHED[node.layer.fn]}, not ${K}` : `no published FS coefficients for ${node.layer.fn}`;
  if (!canFit) return { ok: false, reason: `${node.path} (${node.layer.fn}): ${why}; give recipe.coefficients or allow fitting (fitFsCoefficients)` };
  return { ok: true, note: `${why}: coefficients fitted with fitFsCoefficients` };
}

function coefficientsFor(node: ActivationNode, ctx: RecipeContext<RecipeOf<'fs'>>): { c: FsCoefficients | undefined; note: string | null } {
  const r = ctx.recipe;
  const K = stepsFor(node, r);
  const st = ctx.stats[node.index]!;
  switch (source(node, r)) {
    case 'given':
      return { c: r.coefficients![node.layer.fn as 'relu' | 'silu' | 'sigmoid'], note: 'coefficients from the recipe' };
    case 'published':
      return { c: undefined, note: null };
    case 'closed': {
      const six = node.layer.fn === 'relu6';
      const alpha = six ? 6 / (1 - 2 ** -K) : r.reluAlpha;
      const clip = alpha * (1 - 2 ** -K);
      const over = !six && st.max > clip ? `inputs up to ${st.max.toFixed(2)} exceed the clip α(1−2^−K) = ${clip.toFixed(2)}` : null;
      return { c: fsReluCoefficients(K, alpha), note: over };
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

/** `fit: 'samples'`: fit on the layer's input subsample, warm from the published set at this K. */
function fitOnSamples(node: ActivationNode, ctx: RecipeContext<RecipeOf<'fs'>>, K: number): { c: FsCoefficients; note: string } {
  const st = ctx.stats[node.index]!;
  if (st.samples.length === 0) throw new Error(`${node.path} (${node.layer.fn}): fit 'samples' needs input samples, but the calibration pass kept none`);
  const published = PUBLISHED_SETS[node.layer.fn];
  const init = published !== undefined && published.h.length === K ? published : undefined;
  const fit = fitFsCoefficients(scalarFn(node), {
    K,
    samples: st.samples,
    iterations: ctx.fsFit.iterations,
    seed: ctx.fsFit.seed,
    spikePenalty: FS_SAMPLE_FIT.spikePenalty,
    ...(init !== undefined ? { init, restarts: 1, lr: FS_SAMPLE_FIT.warmLr } : { restarts: ctx.fsFit.restarts }),
  });
  const what = `fitted on ${st.samples.length} input samples${init ? ' from the published set' : ''}, mse ${fit.mse.toExponential(2)}, ${fit.spikes.toFixed(2)} spikes/input`;
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
    const activation = fn === 'relu' || fn === 'silu' || fn === 'sigmoid' ? fn : 'custom';
    const neuron = parseWith(
      NeuronSpec,
      { kind: 'fs', activation: c === undefined ? activation : activation === 'relu' ? 'relu' : 'custom', K: stepsFor(node, ctx.recipe), ...(c ? { coefficients: c } : {}) },
      `${node.path} neuron`,
    );
    return { neuron, threshold: null, note };
  },
  input: () => ({ analogSteps: 1, inputSpikesPerElement: 0 }),
  gradedSpikes: true,
};
