import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@spikelite/engine';
import type { EncodingKind, EncodingSpec } from '@spikelite/schemas';

/**
 * Per-channel normalisation `(x − mean[c]) / std[c]` over the last axis, applied to the
 * analog steps only (direct, and the analog steps of hybrid). Same shape as
 * `@spikelite/data`'s `ChannelStats`, so those can be passed as they are.
 */
export interface ChannelNormalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface EncoderOptions {
  /** T, the number of timesteps per image (≥ 1). */
  readonly timesteps: number;
  /** Randomness of stochastic encodings (rate); each `beginBatch()` draws one uint32 from it. */
  readonly rng?: Rng;
  /** Normalisation of the analog part; the spike part always reads raw [0, 1] intensities. */
  readonly normalization?: ChannelNormalization;
}

/**
 * Turns a batch of raw images (float, values in [0, 1], NHWC or any shape whose first axis
 * is the batch and last axis the channels) into the first layer's input at each step.
 */
export interface Encoder {
  readonly kind: EncodingKind;
  readonly spec: EncodingSpec;
  readonly timesteps: number;
  /** True when the encoding draws random numbers (needs an Rng and `beginBatch()`). */
  readonly stochastic: boolean;
  /**
   * Start a new batch: stochastic encoders draw the batch seed from the Rng (exactly one
   * uint32), or use `seed` when given. A no-op for deterministic encoders. Call it once per
   * batch before the first `encode`; the Rng then advances by the same amount per batch,
   * whatever the image size, so a stored Rng state reproduces every later batch.
   */
  beginBatch(seed?: number): void;
  /** The seed of the current batch; null before the first `beginBatch` or when deterministic. */
  readonly batchSeed: number | null;
  /**
   * The first layer's input at step t (0-based), same shape as `images`, float32. The caller
   * owns the result. Random access: the same batch, image and t always give the same tensor.
   */
  encode(images: tf.Tensor, t: number): tf.Tensor;
  /** True when step t feeds analog values (MACs in layer 1); false for spikes (ACs). */
  isAnalog(t: number): boolean;
  /** All T steps stacked: `[T, ...images.shape]`. */
  encodeAll(images: tf.Tensor): tf.Tensor;
}

/** What a step function of an encoding gets to read; built and cached by `createEncoder`. */
export interface StepInput {
  readonly images: tf.Tensor;
  readonly shape: readonly number[];
  /** The raw intensities, checked to lie in [0, 1] (read from the tensor once per image batch). */
  values(): Float32Array;
  /** Uniform [0, 1) numbers (float64, so never rounded up to 1), one per element, for step t of the current batch (stochastic only). */
  uniform(t: number): Float64Array;
  /** The analog image: `images`, normalised when the encoder has a normalisation. */
  analog(): tf.Tensor;
}

/** The per-spec part of an encoder: what a new encoding implements. */
export interface StepCode {
  isAnalog(t: number): boolean;
  step(input: StepInput, t: number): tf.Tensor;
}

/** One registry entry: adding an encoding is one file exporting this and one registry line. */
export interface EncodingDefinition<S extends EncodingSpec = EncodingSpec> {
  readonly kind: S['kind'];
  /** Whether encoders of this spec draw random numbers. */
  stochastic(spec: S): boolean;
  create(spec: S, context: { readonly timesteps: number }): StepCode;
}
