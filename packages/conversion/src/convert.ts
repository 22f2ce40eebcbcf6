/**
 * `convert(net, recipe, options)`: ANN → SNN as one fixed pipeline for every recipe
 *   1. validate: parse the recipe; every activation must be mappable by the recipe (the error
 *      names the layer and why), no unfolded BatchNorm, the recipe's preconditions;
 *   2. calibrate: ANN statistics of every activation's input, and thresholds when the recipe
 *      uses them (max or percentile; 'ann' one pass + weight normalisation, or DIET's
 *      layer-wise 'snn' balancing);
 *   3. replace: every activation becomes the recipe's neuron in an SnnModel (the recipe's
 *      encoding: direct input, or hybrid for the hybrid recipe);
 *   3b. bias correction (threshold, diet with biasCorrection): see bias-correction.ts.
 *   4. finalise: the recipe's last stage (DIET, hybrid: surrogate-gradient fine-tuning).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { createEncoder } from '@spikelite/encoding';
import { SnnModel, type Network } from '@spikelite/models';
import { ConversionRecipe, parseWith, type ConversionRecipeInput } from '@spikelite/schemas';
import type { EvalResult } from '@spikelite/training';
import { correctBiases, type BiasCorrectionLayer } from './bias-correction.js';
import { calibrateChannelThresholds, calibrateThresholds } from './calibrate.js';
import { countMaxPools, withAvgPool, withPoolsBeforeNeurons, type MaxPoolMethod } from './maxpool.js';
import { NormalisationError, normaliseWeights } from './normalize.js';
import { measureInputSpikes } from './output-threshold.js';
import { RECIPES, type FinetuneData, type LayerThreshold, type RecipeDefinition } from './recipes/index.js';
import { activationStats, type ActivationStats } from './stats.js';

/** The network cannot be converted by this recipe: `layer` names the offending layer (or null). */
export class ConversionError extends Error {
  override readonly name = 'ConversionError';
  constructor(
    message: string,
    readonly layer: string | null,
  ) {
    super(message);
  }
}

export interface ConvertOptions {
  /** Calibration images, NHWC as the model's input (SPEC §4d: 512 training images). */
  calibrationImages: tf.Tensor4D;
  log?: (msg: string) => void;
  /** Training data for recipes that fine-tune (diet). */
  finetune?: FinetuneData;
  /** MaxPool handling (see maxpool.ts). Default 'keep'. */
  maxPool?: MaxPoolMethod;
  /**
   * Threshold calibration. 'ann' (default): the statistic of each activation's input in the
   * ANN (one pass), then weight normalisation (normalise.ts: spikes carry θ, so biases and
   * residual sums stay in ANN units). 'snn': DIET's layer-wise balancing on the SNN (SPEC §4d),
   * weights unchanged (as DIET, whose nets are bias-free).
   */
  calibrationMode?: 'ann' | 'snn';
  /** T_bal of 'snn' calibration (SPEC §4d: 100; default here 50). */
  balanceSteps?: number;
  /** Raw (scale 1) thresholds from an earlier calibration of this network (per channel with granularity 'channel'): skips calibrating. */
  thresholds?: readonly LayerThreshold[];
  /** FS coefficient fitting for activations without published coefficients; false = refuse them. */
  fsFit?: false | { restarts?: number; iterations?: number; seed?: number };
}

export interface LayerInfo {
  layer: string;
  activation: string;
  neuron: string;
  /** The neuron's threshold: one value, or one per channel. */
  threshold: LayerThreshold | null;
  note: string | null;
}

export interface ConversionInfo {
  recipe: ConversionRecipe;
  /** T of the run (threshold, diet) or K of the FS neurons (fs). */
  steps: number;
  /** SnnModel timesteps (1 for FS). */
  timesteps: number;
  /** Raw thresholds (scale 1) from calibration (arrays: per channel), or null. */
  thresholds: LayerThreshold[] | null;
  layers: LayerInfo[];
  stats: ActivationStats[];
  /** beforeNeuron: paths of the maxPools moved before their neuron (see withPoolsBeforeNeurons). */
  maxPool: { method: MaxPoolMethod; count: number; beforeNeuron: string[] };
  notes: string[];
  /** For energy accounting (see @spikelite/energy EnergyInput). */
  input: { analogSteps: number; inputSpikesPerElement: number };
  gradedSpikes: boolean;
  /** Each layer's bias correction (recipes with biasCorrection set), else null. */
  biasCorrection: BiasCorrectionLayer[] | null;
  /** The fine-tune's final evaluation on finetune.test (diet), else null. */
  finetune: EvalResult | null;
  wallMs: number;
}

export interface ConversionResult {
  snn: SnnModel;
  /** The network the SNN runs (a copy owned here when maxPools were replaced or weights normalised). */
  network: Network;
  info: ConversionInfo;
  /** Disposes the SNN's neurons and, when it is a copy, the network. */
  dispose(): void;
}

type AnyRecipe = RecipeDefinition<ConversionRecipe['kind']>;


/** Step 1 alone: the recipe parsed, and every reason this network cannot be converted by it. */
export function validateConversion(
  net: Network,
  recipeInput: ConversionRecipeInput | ConversionRecipe,
  options: Pick<ConvertOptions, 'finetune' | 'fsFit' | 'calibrationMode'> = {},
): { recipe: ConversionRecipe; errors: Array<{ layer: string | null; reason: string }>; notes: string[] } {
  const recipe = parseWith(ConversionRecipe, recipeInput, 'conversion recipe');
  const def = RECIPES[recipe.kind] as AnyRecipe;
  const errors: Array<{ layer: string | null; reason: string }> = [];
  const notes: string[] = [];
  const pre = def.precondition?.(recipe, options.finetune);
  if (pre) errors.push({ layer: null, reason: pre });
  if ('calibration' in recipe && recipe.calibration.granularity === 'channel') {
    if (!def.channelThresholds) errors.push({ layer: null, reason: `calibration.granularity 'channel': the ${recipe.kind} recipe's neurons hold one threshold per layer (use 'layer'; threshold and diet take 'channel')` });
    else if (options.calibrationMode === 'snn') errors.push({ layer: null, reason: `calibration.granularity 'channel' needs calibrationMode 'ann' (the per-channel statistic of the ANN's activations), not 'snn' balancing` });
  }
  for (const bn of net.graph.nodes.filter((n) => n.op === 'batchNorm')) {
    errors.push({ layer: bn.path, reason: `${bn.path} (batchNorm): fold BatchNorm into the conv/linear before it before converting (importOnnx folds it by default)` });
  }
  if (net.graph.activations.length === 0) errors.push({ layer: null, reason: 'the network has no activation layers to turn into neurons' });
  for (const node of net.graph.activations) {
    const c = def.check(node, recipe, { canFit: options.fsFit !== false });
    if (!c.ok) errors.push({ layer: node.path, reason: c.reason });
    else if (c.note) notes.push(`${node.path}: ${c.note}`);
  }
  return { recipe, errors, notes };
}

export async function convert(net: Network, recipeInput: ConversionRecipeInput | ConversionRecipe, options: ConvertOptions): Promise<ConversionResult> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  // 1. validate
  const { recipe, errors, notes } = validateConversion(net, recipeInput, options);
  if (errors.length > 0) {
    const first = errors[0]!;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more layer(s): ${errors.slice(1, 4).map((e) => e.layer ?? '').join(', ')}${errors.length > 4 ? ', …' : ''})` : '';
    throw new ConversionError(`cannot convert with the ${recipe.kind} recipe: ${first.reason}${more}`, first.layer);
  }
  const def = RECIPES[recipe.kind] as AnyRecipe;
  const method = options.maxPool ?? 'keep';
  const count = countMaxPools(net.spec);
  // Binary spikes under direct input: pool the constant current before the neuron where it can (exact).
  const direct = (def.encoding?.(recipe) ?? { kind: 'direct' }).kind === 'direct';
  const early = method === 'keep' && !def.gradedSpikes && direct && count > 0 ? withPoolsBeforeNeurons(net) : null;
  const copy = method === 'avg' ? withAvgPool(net) : (early?.network ?? null);
  const network = copy ?? net;
  /** Networks made here (avgPool copy, pools moved, normalised copy), disposed with the result. */
  const owned: Network[] = copy ? [copy] : [];
  const moved = early?.moved ?? [];
  if (moved.length > 0) {
    notes.push(`${moved.join(', ')} (maxPool): pooled before its neuron, whose input current is the same at every step (direct input), so the max is the ANN's exactly`);
  }
  if (count > moved.length) {
    notes.push(method === 'avg' ? `${count} maxPool layer(s) replaced by avgPool of the same window` : `${count - moved.length} maxPool layer(s) kept: max over ${def.gradedSpikes ? 'the graded FS outputs (exact)' : 'binary spikes at each step (an OR of the window)'}`);
  }
  try {
    // 2. calibrate
    const images = options.calibrationImages;
    const stats = activationStats(network, images, { samples: def.statsSamples?.(recipe) ?? 0 });
    const calib = def.calibration(recipe);
    let thresholds: LayerThreshold[] | null = null;
    if (calib !== null) {
      if (options.thresholds !== undefined) {
        if (options.thresholds.length !== network.graph.activations.length) {
          throw new ConversionError(`options.thresholds has ${options.thresholds.length} values, the network has ${network.graph.activations.length} activations`, null);
        }
        thresholds = [...options.thresholds];
      } else {
        const mode = options.calibrationMode ?? 'ann';
        const perChannel = calib.granularity === 'channel';
        log(`${recipe.kind}: calibrating thresholds${perChannel ? ' per channel' : ''} on ${images.shape[0]} images (${mode}, ${calib.statistic === 'max' ? 'max' : `${calib.percentile}th percentile`})`);
        const o = { ...calib, mode, balanceSteps: options.balanceSteps ?? 50 };
        thresholds = perChannel
          ? calibrateChannelThresholds(network, images, o).map((t, l, all) => {
              log(`  layer ${l + 1}/${all.length}: thresholds ${Math.min(...t).toFixed(4)}–${Math.max(...t).toFixed(4)} over ${t.length} channels`);
              return Array.from(t);
            })
          : calibrateThresholds(network, images, { ...o, onLayer: (l, n, th) => log(`  layer ${l + 1}/${n}: threshold ${th.toFixed(4)}`) });
      }
    }
    // 3. replace activations with neurons
    const fit = options.fsFit === false ? { restarts: 0, iterations: 0, seed: 0 } : { restarts: options.fsFit?.restarts ?? 4, iterations: options.fsFit?.iterations ?? 800, seed: options.fsFit?.seed ?? 0 };
    const ctx = { net: network, recipe, thresholds, stats, log, fsFit: fit };
    const plans = network.graph.activations.map((node) => def.plan(node, ctx));
    let runNet = network;
    if (thresholds !== null && (options.calibrationMode ?? 'ann') === 'ann') {
      try {
        const norm = normaliseWeights(network, plans.map((p) => p.threshold!));
        runNet = norm.network;
        owned.push(runNet);
        notes.push(...norm.notes);
      } catch (e) {
        if (e instanceof NormalisationError) throw new ConversionError(`cannot convert with the ${recipe.kind} recipe: ${e.message} (try calibrationMode 'snn')`, e.layer);
        throw e;
      }
    }
    const correct = def.biasCorrection?.(recipe) ?? false;
    // Biases are in ANN units only in a weight-normalised network (spikes carry θ).
    if (correct && runNet === network) throw new ConversionError(`cannot correct biases with calibrationMode 'snn': only weight normalisation ('ann') keeps biases in ANN units`, null);
    const timesteps = def.timesteps(recipe);
    const snn = new SnnModel(runNet, {
      timesteps,
      neuron: (node) => plans[node.index]!.neuron,
      encoder: createEncoder(def.encoding?.(recipe) ?? { kind: 'direct' }, { timesteps }),
    });
    plans.forEach((p, i) => {
      const layer = snn.neurons[i]!;
      if (p.threshold !== null && typeof p.threshold !== 'number' && layer.mode === 'step') layer.setParameter('threshold', p.threshold);
    });
    const input = def.input(recipe);
    if (def.measureInput) input.inputSpikesPerElement = measureInputSpikes(snn.encoder, images);
    // 4. finalise
    let finetune: EvalResult | null = null;
    let biasCorrection: BiasCorrectionLayer[] | null = null;
    try {
      if (correct) {
        log(`${recipe.kind}: correcting biases layer by layer on ${images.shape[0]} images`);
        biasCorrection = correctBiases(network, snn, images, { log });
      }
      finetune = def.finalise ? await def.finalise(snn, recipe, options.finetune, log, { calibrationImages: images }) : null;
    } catch (e) {
      snn.dispose();
      throw e;
    }
    const info: ConversionInfo = {
      recipe,
      // FS: the longest K of its layers (SiLU's published set is 16 steps, ReLU's 10).
      steps: def.gradedSpikes ? Math.max(...plans.map((p) => (p.neuron.kind === 'fs' ? p.neuron.K : 1))) : def.reportedSteps(recipe),
      timesteps,
      thresholds,
      layers: runNet.graph.activations.map((node, i) => ({
        layer: node.path,
        activation: node.layer.fn,
        neuron: plans[i]!.neuron.kind,
        threshold: plans[i]!.threshold,
        note: plans[i]!.note,
      })),
      stats,
      maxPool: { method, count, beforeNeuron: moved },
      notes,
      input,
      gradedSpikes: def.gradedSpikes,
      biasCorrection,
      finetune,
      wallMs: performance.now() - t0,
    };
    return {
      snn,
      network: runNet,
      info,
      dispose() {
        snn.dispose();
        for (const n of owned) n.dispose();
      },
    };
  } catch (e) {
    for (const n of owned) n.dispose();
    throw e;
  }
}
