/**
 * Batches decoded on demand: memory holds the batch being consumed and the next one being
 * read, whatever the size of the folder. The epoch order is `epochOrder` of batches.ts, so a
 * seed gives the same order as `batches()` on the same images in memory, and resuming from
 * a stored rng state and batch index works the same way.
 */
import { createRng, type Rng } from '@spikelite/engine';
import { batchCount, epochOrder, type Batch } from '../batches.js';
import { DataError } from '../errors.js';
import type { F32Image } from '../preprocess/image.js';
import { checkConcurrency, readEach, ShapeCheck, type ReadOptions } from './read.js';
import { sampleRng, type ImageSource } from './source.js';

export interface FolderBatchOptions extends ReadOptions {
  batchSize: number;
  /** An Rng (advanced by the shuffle), a seed, or false/undefined for the source's order. */
  shuffle?: Rng | number | false;
  /** Skip a final partial batch. Default false. */
  dropLast?: boolean;
  /** Start at this batch of the epoch (to resume); default 0. */
  startBatch?: number;
  /** Seed of the random preprocessing steps (default 0); with `epoch`, each image's draws are fixed. */
  augmentSeed?: number;
  /** Epoch number, so each epoch augments differently (default 0). */
  epoch?: number;
}

/**
 * The batches of one epoch, each read when the previous one is handed out. A batch under
 * onError 'skip' may be smaller than batchSize; its `indices` say which images it holds.
 */
export function folderBatches(source: ImageSource, opts: FolderBatchOptions): AsyncGenerator<Batch, void, undefined> {
  checkConcurrency(opts.concurrency);
  const rng = typeof opts.shuffle === 'number' ? createRng(opts.shuffle) : opts.shuffle || undefined;
  // Fixed now, not on the first next(), so the caller's rng advances at a known point (as batches()).
  const order = epochOrder(source.count, rng);
  const dropLast = opts.dropLast ?? false;
  const n = batchCount(order.length, opts.batchSize, dropLast);
  const start = opts.startBatch ?? 0;
  if (!Number.isInteger(start) || start < 0) throw new DataError(`startBatch must be an integer >= 0, got ${start}`);
  const seed = opts.augmentSeed ?? 0;
  const epoch = opts.epoch ?? 0;
  const rngFor = source.preprocess.random ? (i: number) => sampleRng(seed, epoch, i) : undefined;
  const shape = new ShapeCheck(source);

  const read = async (b: number): Promise<Batch> => {
    const ids = order.subarray(b * opts.batchSize, Math.min((b + 1) * opts.batchSize, order.length));
    const got: (F32Image | undefined)[] = new Array(ids.length);
    await readEach(source, ids, { ...opts, ...(rngFor ? { rngFor } : {}) }, (k, img) => (got[k] = img), () => {});
    const keep: number[] = [];
    got.forEach((img, k) => {
      if (!img) return;
      shape.check(source.samples[ids[k]!]!.file, img);
      keep.push(k);
    });
    const s = shape.shape() ?? { height: 0, width: 0, channels: 0 };
    const size = s.height * s.width * s.channels;
    const images = new Float32Array(keep.length * size);
    keep.forEach((k, j) => images.set(got[k]!.data, j * size));
    const indices = Int32Array.from(keep, (k) => ids[k]!);
    const labels = Int32Array.from(indices, (i) => source.samples[i]!.label);
    return { images, labels, size: keep.length, indices, batchIndex: b, ...s };
  };

  return (async function* () {
    let pending = start < n ? read(start) : undefined;
    for (let b = start; b < n; b++) {
      const batch = await pending!;
      // Read ahead while the consumer works on this batch.
      pending = b + 1 < n ? read(b + 1) : undefined;
      pending?.catch(() => {}); // surfaced when awaited; not an unhandled rejection meanwhile
      yield batch;
    }
  })();
}
