/**
 * What a conversion recipe declares (DESIGN "A registry, not switches"): which activations it
 * can map and why not, what calibration it needs, the neuron of each activation, and an
 * optional finalising stage (DIET's fine-tune). `convert` runs every recipe through the same
 * fixed pipeline: validate → calibrate → replace activations → finalise.
 */
import type { ImageSet } from '@spikelite/data';
import type { Node, Network, SnnModel } from '@spikelite/models';
import type * as tf from '@tensorflow/tfjs-core';
import type { ConversionRecipe, EncodingSpec, NeuronSpec } from '@spikelite/schemas';
import type { EvalResult, TrainEvent } from '@spikelite/training';
import type { CalibrationOptions } from '../calibrate.js';
import type { ActivationStats } from '../stats.js';

export type ActivationNode = Extract<Node, { op: 'activation' }>;

/** A layer's firing threshold: one value, or one per channel (its input's last axis). */
export type LayerThreshold = number | readonly number[];
export type RecipeOf<K extends ConversionRecipe['kind']> = Extract<ConversionRecipe, { kind: K }>;

/** Whether one activation converts: a reason when it cannot, a note when it converts approximately. */
export type LayerCheck = { ok: true; note?: string } | { ok: false; reason: string };

/** Training data for recipes that fine-tune (diet). */
export interface FinetuneData {
  train: ImageSet;
  test: ImageSet;
  batchSize?: number;
  seed?: number;
  onEvent?: (e: TrainEvent) => void;
}

export interface RecipeContext<R> {
  readonly net: Network;
  readonly recipe: R;
  /** Raw thresholds (scale 1), one entry per activation (per channel with granularity 'channel'), when the recipe calibrates; else null. */
  readonly thresholds: LayerThreshold[] | null;
  /** ANN statistics of every activation's input on the calibration images. */
  readonly stats: ActivationStats[];
  readonly log: (msg: string) => void;
  readonly fsFit: { restarts: number; iterations: number; seed: number };
}

/** What a recipe decided for one activation. */
export interface LayerPlan {
  neuron: NeuronSpec;
  /** A per-channel threshold is set on the neuron layer after it is built (its spec holds one value). */
  threshold: LayerThreshold | null;
  note: string | null;
}

export interface RecipeDefinition<K extends ConversionRecipe['kind'] = ConversionRecipe['kind']> {
  readonly kind: K;
  readonly about: string;
  /** Timesteps the SnnModel runs (1 for FS: the K steps are inside each FS layer). */
  timesteps(recipe: RecipeOf<K>): number;
  /** Steps reported for this recipe (T, or K for FS). */
  reportedSteps(recipe: RecipeOf<K>): number;
  /** Can this activation be converted, and how faithfully? */
  check(node: ActivationNode, recipe: RecipeOf<K>, options: { canFit: boolean }): LayerCheck;
  /** Whole-recipe preconditions (e.g. training data); a message when unmet. */
  precondition?(recipe: RecipeOf<K>, finetune: FinetuneData | undefined): string | null;
  /**
   * Input values per activation to keep from the calibration pass (ActivationStats.samples);
   * absent = none. Reservoir sampling draws a random number per input value, so only recipes
   * that fit to the distribution ask for it.
   */
  statsSamples?(recipe: RecipeOf<K>): number;
  /** Threshold calibration this recipe needs (its statistic), or null; the mode is ConvertOptions.calibrationMode. */
  calibration(recipe: RecipeOf<K>): Partial<CalibrationOptions> | null;
  /** The SNN's input encoding (default: direct, the analog image at every step). */
  encoding?(recipe: RecipeOf<K>): EncodingSpec;
  /** The neuron replacing each activation. */
  plan(node: ActivationNode, ctx: RecipeContext<RecipeOf<K>>): LayerPlan;
  /** Energy accounting of layer 1's input and of the spikes. */
  readonly input: (recipe: RecipeOf<K>) => { analogSteps: number; inputSpikesPerElement: number };
  /** When true, convert measures inputSpikesPerElement by running the encoder on the calibration images. */
  readonly measureInput?: boolean;
  readonly gradedSpikes: boolean;
  /** Whether convert corrects the SNN's biases against the ANN after building it (bias-correction.ts). */
  readonly biasCorrection?: (recipe: RecipeOf<K>) => boolean;
  /** Whether the recipe's neurons take one threshold per channel (calibration.granularity 'channel'). */
  readonly channelThresholds?: boolean;
  /** Runs after the SNN is built (DIET: surrogate-gradient fine-tuning). */
  finalise?(
    snn: SnnModel, recipe: RecipeOf<K>, finetune: FinetuneData | undefined, log: (msg: string) => void,
    extras: { calibrationImages: tf.Tensor4D },
  ): Promise<EvalResult | null>;
}
