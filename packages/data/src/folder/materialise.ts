/**
 * A bounded in-memory ImageSet from an ImageSource, for the code that needs one (calibration,
 * evaluation, the CLI): at most `limit` images, refused past `maxBytes`, with progress.
 */
import { createRng } from '@spikelite/engine';
import { epochOrder } from '../batches.js';
import { DataError } from '../errors.js';
import type { ImageSet } from '../types.js';
import type { F32Image } from '../preprocess/image.js';
import { checkConcurrency, readEach, ShapeCheck, type ReadOptions } from './read.js';
import { sampleRng, type ImageSource } from './source.js';

export interface ImageProgress {
  /** Images read so far (skipped ones included). */
  readonly done: number;
  readonly total: number;
}

export interface LoadImageSetOptions extends ReadOptions {
  /** Keep at most this many images (positive integer). */
  limit?: number;
  /**
   * Which images a limit keeps: 'random' (default) draws them with a shuffle seeded by `seed`
   * and keeps them in the source's order (a folder lists its classes one after another, so
   * the first N would often be one class); 'first' keeps the first N.
   */
  pick?: 'random' | 'first';
  /** Seed of the pick and of random preprocessing steps (default 0). */
  seed?: number;
  onProgress?: (p: ImageProgress) => void;
  /** Refuse a set larger than this many bytes of float32 (default 2 GiB). */
  maxBytes?: number;
}

/** An ImageSet read from files: which file each image came from, and which were skipped. */
export interface FileImageSet extends ImageSet {
  /** Position in the source of each image. */
  readonly indices: Int32Array;
  readonly files: readonly string[];
  readonly skipped: readonly string[];
}

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/** The source positions a limit keeps, in source order. */
export function pickIndices(count: number, limit: number | undefined, pick: 'random' | 'first', seed: number): Int32Array {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new DataError(`limit must be a positive integer, got ${String(limit)}`);
  }
  if (limit === undefined || limit >= count) return epochOrder(count);
  if (pick === 'first') return epochOrder(limit);
  return epochOrder(count, createRng(seed)).slice(0, limit).sort();
}

function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export async function loadImageSet(source: ImageSource, opts: LoadImageSetOptions = {}): Promise<FileImageSet> {
  checkConcurrency(opts.concurrency);
  const seed = opts.seed ?? 0;
  const indices = pickIndices(source.count, opts.limit, opts.pick ?? 'random', seed);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const pre = source.preprocess;
  const rngFor = pre.random ? (i: number) => sampleRng(seed, 0, i) : undefined;
  const readOpts = { ...opts, ...(rngFor ? { rngFor } : {}) };
  const shape = new ShapeCheck(source);
  const total = indices.length;
  let done = 0;
  const progress = (): void => opts.onProgress?.({ done: ++done, total });

  const ok = new Uint8Array(total);
  let images: Float32Array | undefined;
  let size = 0;
  const allocate = (height: number, width: number, channels: number): Float32Array => {
    size = height * width * channels;
    const bytes = total * size * 4;
    if (bytes > maxBytes) {
      throw new DataError(
        `${source.root}: ${total} images of ${height}x${width}x${channels} need ${gb(bytes)} as float32, more than ` +
          `maxBytes ${gb(maxBytes)}: load fewer (limit) or stream them in batches (folderBatches)`,
        { file: source.root },
      );
    }
    return new Float32Array(total * size);
  };
  const store = (k: number, img: F32Image): void => {
    shape.check(source.samples[indices[k]!]!.file, img);
    images ??= allocate(img.height, img.width, img.channels);
    images.set(img.data, k * size);
    ok[k] = 1;
    progress();
  };
  if (pre.fixedSize) images = allocate(pre.fixedSize[0], pre.fixedSize[1], pre.channels);

  // Without a fixed output size the first readable image sets the shape: read up to it in order.
  let k0 = 0;
  while (!images && k0 < total) {
    await readEach(source, [indices[k0]!], readOpts, (_k, img) => store(k0, img), progress);
    k0++;
  }
  const rest = indices.subarray(k0);
  await readEach(source, rest, readOpts, (k, img) => store(k0 + k, img), progress);

  const keep: number[] = [];
  for (let k = 0; k < total; k++) if (ok[k]) keep.push(k);
  const skipped = [...ok.keys()].filter((k) => !ok[k]).map((k) => source.samples[indices[k]!]!.file);
  if (keep.length === 0) {
    throw new DataError(`${source.root}: none of the ${total} images could be read`, { file: source.root });
  }
  const { height, width, channels } = shape.shape()!;
  const packed = keep.length === total ? images! : new Float32Array(keep.length * size);
  if (packed !== images) keep.forEach((k, j) => packed.set(images!.subarray(k * size, (k + 1) * size), j * size));
  const labels = Int32Array.from(keep, (k) => source.samples[indices[k]!]!.label);
  return {
    images: packed,
    labels,
    count: keep.length,
    height,
    width,
    channels,
    classes: source.classes,
    indices: Int32Array.from(keep, (k) => indices[k]!),
    files: keep.map((k) => source.samples[indices[k]!]!.file),
    skipped,
  };
}
