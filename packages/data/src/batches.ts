/**
 * Seeded shuffling and batching. An epoch's order is a pure function of the RNG state
 * at its start, so a trainer that stores that state (and the batch index) resumes
 * mid-epoch with exactly the batches an uninterrupted run would have seen:
 *
 *   const epochState = rng.state();                        // save in the checkpoint
 *   const order = epochOrder(set.count, rngFromState(epochState));
 *   for (let b = resumeBatch; b < batchCount(order.length, 64); b++) train(batchAt(set, order, b, 64));
 */
import { createRng, shuffleInPlace, type Rng } from '@spikelite/engine';
import { DataError } from './errors.js';
import { imageSize, type ImageSet } from './types.js';

export interface Batch {
  /** size images, NHWC. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
  /** Positions of these images in the source set. */
  readonly indices: Int32Array;
  /** Index of this batch within its epoch. */
  readonly batchIndex: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

function checkCount(what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new DataError(`${what} must be an integer >= ${min}, got ${n}`);
}

/**
 * The order of one epoch: 0..count-1, shuffled by `rng` (Fisher-Yates; advances the rng
 * by count-1 draws) or in sequence when no rng is given.
 */
export function epochOrder(count: number, rng?: Rng): Int32Array {
  checkCount('count', count, 0);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (rng) shuffleInPlace(order, rng);
  return order;
}

/** Batches in an epoch of `count` items; with dropLast a final partial batch is not counted. */
export function batchCount(count: number, batchSize: number, dropLast = false): number {
  checkCount('count', count, 0);
  checkCount('batchSize', batchSize, 1);
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/** Copies the given images and labels (by index into `set`) into a new batch. */
function gather(set: ImageSet, indices: Int32Array, batchIndex: number): Batch {
  const size = imageSize(set);
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (i < 0 || i >= set.count) throw new DataError(`index ${i} is out of range for a set of ${set.count} images`);
    images.set(set.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = set.labels[i]!;
  }
  const { height, width, channels } = set;
  return { images, labels, size: indices.length, indices, batchIndex, height, width, channels };
}

/** Batch number `batchIndex` of an epoch with the given order (the last one may be partial). */
export function batchAt(set: ImageSet, order: Int32Array, batchIndex: number, batchSize: number): Batch {
  const n = batchCount(order.length, batchSize);
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= n) {
    throw new DataError(`batch ${batchIndex} is out of range: ${order.length} items in batches of ${batchSize} make ${n}`);
  }
  const start = batchIndex * batchSize;
  return gather(set, order.slice(start, Math.min(start + batchSize, order.length)), batchIndex);
}

export interface BatchOptions {
  batchSize: number;
  /** An Rng (advanced by the shuffle), a seed, or false/undefined for the set's own order. */
  shuffle?: Rng | number | false;
  /** Skip a final partial batch. Default false. */
  dropLast?: boolean;
  /** Start at this batch of the epoch (to resume); default 0. */
  startBatch?: number;
}

/** The batches of one epoch. The order is fixed when the generator is created. */
export function batches(set: ImageSet, opts: BatchOptions): Generator<Batch, void, undefined> {
  const rng = typeof opts.shuffle === 'number' ? createRng(opts.shuffle) : opts.shuffle || undefined;
  // Computed eagerly (not on first next()) so the caller's rng advances at a known point.
  const order = epochOrder(set.count, rng);
  const n = batchCount(order.length, opts.batchSize, opts.dropLast ?? false);
  const start = opts.startBatch ?? 0;
  checkCount('startBatch', start, 0);
  return (function* () {
    for (let b = start; b < n; b++) yield batchAt(set, order, b, opts.batchSize);
  })();
}

/**
 * An ImageSet of exactly its own fields: extras of the source (a folder set's `files`,
 * `indices`) describe the source's images, not the new selection, so they are not copied.
 */
function imageSet(set: ImageSet, images: Float32Array, labels: Int32Array, count: number): ImageSet {
  const { height, width, channels, classes } = set;
  return { images, labels, count, height, width, channels, classes };
}

/** A new ImageSet of the given images, in the given order (copies). */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const idx = Int32Array.from(indices);
  const b = gather(set, idx, 0);
  return imageSet(set, b.images, b.labels, idx.length);
}

/** The first n images (all when n >= count); copies, so the source can be released. */
export function takeFirst(set: ImageSet, n: number): ImageSet {
  checkCount('n', n, 0);
  const count = Math.min(n, set.count);
  const size = imageSize(set);
  return imageSet(set, set.images.slice(0, count * size), set.labels.slice(0, count), count);
}
