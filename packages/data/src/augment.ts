/**
 * Seeded augmentation for CIFAR-style training (SPEC §4: random crop 32 with padding 4,
 * horizontal flip): pad by `padding`, crop back to the original size at a random offset,
 * then mirror with probability 1/2. Apply it before normalisation (pad value 0 = black,
 * as torchvision does), or pass the normalised value of black as `padValue`.
 */
import type { Rng } from '@spikelite/engine';
import { DataError } from './errors.js';
import type { Batch } from './batches.js';

export interface AugmentOptions {
  /** Pixels of padding on each side before the random crop; 0 disables cropping. Default 4. */
  padding?: number;
  /** Mirror left-right with probability 1/2. Default true. */
  flip?: boolean;
  /** Value of padded pixels, one for all channels or one per channel. Default 0. */
  padValue?: number | readonly number[];
}

export interface ImageShape {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Random crop with padding and horizontal flip of NHWC images; returns a new array.
 * Per image the rng draws, in this order: row offset, column offset (when padding > 0),
 * then the flip (when flip is on), so equal rng states give equal outputs.
 */
export function randomCropFlip(images: Float32Array, shape: ImageShape, rng: Rng, opts: AugmentOptions = {}): Float32Array {
  const { count, height: h, width: w, channels: c } = shape;
  const p = opts.padding ?? 4;
  const flip = opts.flip ?? true;
  if (!Number.isInteger(p) || p < 0) throw new DataError(`augment padding must be a non-negative integer, got ${p}`);
  if (images.length !== count * h * w * c) {
    throw new DataError(`augment: ${images.length} floats do not match ${count}x${h}x${w}x${c}`);
  }
  const pad = typeof opts.padValue === 'number' || opts.padValue === undefined
    ? new Array<number>(c).fill(opts.padValue ?? 0)
    : [...opts.padValue];
  if (pad.length !== c) throw new DataError(`augment padValue has ${pad.length} values, the images have ${c} channels`);
  const out = new Float32Array(images.length);
  const size = h * w * c;
  for (let n = 0; n < count; n++) {
    const dy = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const dx = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const mirror = flip && rng.next() < 0.5;
    const base = n * size;
    for (let y = 0; y < h; y++) {
      const ys = y + dy;
      for (let x = 0; x < w; x++) {
        // Crop, then flip: output column x shows cropped column w-1-x.
        const xs = (mirror ? w - 1 - x : x) + dx;
        const o = base + (y * w + x) * c;
        if (ys < 0 || ys >= h || xs < 0 || xs >= w) {
          for (let ch = 0; ch < c; ch++) out[o + ch] = pad[ch]!;
        } else {
          const s = base + (ys * w + xs) * c;
          for (let ch = 0; ch < c; ch++) out[o + ch] = images[s + ch]!;
        }
      }
    }
  }
  return out;
}

/** A copy of `batch` with randomCropFlip applied to its images. */
export function augmentBatch(batch: Batch, rng: Rng, opts: AugmentOptions = {}): Batch {
  return { ...batch, images: randomCropFlip(batch.images, { ...batch, count: batch.size }, rng, opts) };
}
