import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spikelite/engine';
import { EncodingSpec, parseWith, type EncodingSpecInput } from '@spikelite/schemas';
import { EncodingError } from './errors.js';
import { encodingDefinition } from './registry.js';
import type { ChannelNormalization, Encoder, EncoderOptions, StepInput } from './types.js';

/** Tolerance of the [0, 1] check (values within it are clipped); covers float round-off. */
const RANGE_TOLERANCE = 1e-6;

/** The seed of step t's uniform stream, from the batch seed (both uint32). */
function stepSeed(batchSeed: number, t: number): number {
  return (batchSeed ^ Math.imul(t + 1, 0x9e3779b9)) >>> 0;
}

function checkNormalization(norm: ChannelNormalization): void {
  if (norm.mean.length !== norm.std.length || norm.mean.length === 0) {
    throw new EncodingError(`normalization: mean and std must be non-empty and of equal length, got ${norm.mean.length} and ${norm.std.length}`);
  }
  norm.std.forEach((s, c) => {
    if (!(Number.isFinite(s) && s > 0)) throw new EncodingError(`normalization.std[${c}] must be a positive number, got ${s}`);
  });
  norm.mean.forEach((m, c) => {
    if (!Number.isFinite(m)) throw new EncodingError(`normalization.mean[${c}] must be finite, got ${m}`);
  });
}

/**
 * Build an encoder from an EncodingSpec (validated here; defaults filled) and the run's T,
 * Rng and optional analog normalisation.
 */
export function createEncoder(specInput: EncodingSpecInput | EncodingSpec, options: EncoderOptions): Encoder {
  const spec = parseWith(EncodingSpec, specInput, 'encoding');
  const timesteps = options.timesteps;
  if (!Number.isInteger(timesteps) || timesteps < 1) {
    throw new EncodingError(`timesteps must be a positive integer, got ${timesteps}`);
  }
  const norm = options.normalization;
  if (norm !== undefined) checkNormalization(norm);
  const def = encodingDefinition(spec.kind);
  const stochastic = def.stochastic(spec);
  const rng = options.rng;
  if (stochastic && rng === undefined) {
    throw new EncodingError(`'${spec.kind}' encoding is stochastic: pass an Rng (options.rng)`);
  }
  const code = def.create(spec, { timesteps });

  let batchSeed: number | null = null;
  // Raw intensities of the last image tensor seen (tensors are immutable: identity is enough).
  let valuesFor: tf.Tensor | null = null;
  let values = new Float32Array(0);

  const checkStep = (t: number): void => {
    if (!Number.isInteger(t) || t < 0 || t >= timesteps) {
      throw new EncodingError(`timestep must be an integer in [0, ${timesteps - 1}], got ${t}`);
    }
  };

  const readValues = (images: tf.Tensor): Float32Array => {
    if (valuesFor === images) return values;
    const data = Float32Array.from(images.dataSync());
    let min = Infinity;
    let max = -Infinity;
    let nan = false;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      if (Number.isNaN(v)) nan = true;
    }
    if (nan || min < -RANGE_TOLERANCE || max > 1 + RANGE_TOLERANCE) {
      throw new EncodingError(
        `'${spec.kind}' encoding reads raw intensities in [0, 1], got ${nan ? 'NaN' : `values in [${min}, ${max}]`}; ` +
          `pass un-normalised images (options.normalization normalises the analog part)`,
      );
    }
    if (min < 0 || max > 1) for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i]!));
    values = data;
    valuesFor = images;
    return values;
  };

  const analog = (images: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const x = images.dtype === 'float32' ? images : tf.cast(images, 'float32');
      if (norm === undefined) return tf.clone(x);
      const channels = images.shape[images.rank - 1];
      if (channels !== norm.mean.length) {
        throw new EncodingError(`normalization has ${norm.mean.length} channels, the images' last axis has ${channels}`);
      }
      return tf.div(tf.sub(x, tf.tensor1d(norm.mean as number[])), tf.tensor1d(norm.std as number[]));
    });

  const uniform = (size: number, t: number): Float64Array => {
    if (batchSeed === null) {
      throw new EncodingError(`'${spec.kind}' encoding is stochastic: call beginBatch() before encode()`);
    }
    const r = createRng(stepSeed(batchSeed, t));
    const u = new Float64Array(size);
    for (let i = 0; i < size; i++) u[i] = r.next();
    return u;
  };

  const encode = (images: tf.Tensor, t: number): tf.Tensor => {
    checkStep(t);
    if (images.rank < 1 || images.size === 0) {
      throw new EncodingError(`images must be a non-empty tensor [N, H, W, C], got shape [${images.shape.join(', ')}]`);
    }
    const input: StepInput = {
      images,
      shape: images.shape,
      values: () => readValues(images),
      uniform: (step) => uniform(images.size, step),
      analog: () => analog(images),
    };
    return code.step(input, t);
  };

  return {
    kind: spec.kind,
    spec,
    timesteps,
    stochastic,
    get batchSeed() {
      return batchSeed;
    },
    beginBatch(seed?: number): void {
      if (!stochastic) return;
      if (seed !== undefined) {
        if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
          throw new EncodingError(`batch seed must be a uint32, got ${seed}`);
        }
        batchSeed = seed;
      } else {
        batchSeed = rng!.nextUint32();
      }
    },
    encode,
    isAnalog(t: number): boolean {
      checkStep(t);
      return code.isAnalog(t);
    },
    encodeAll(images: tf.Tensor): tf.Tensor {
      return tf.tidy(() => tf.stack(Array.from({ length: timesteps }, (_, t) => encode(images, t))));
    },
  };
}
