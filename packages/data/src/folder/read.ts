/**
 * Reading many images of a source concurrently (sharp decodes on libuv's threads while the
 * preprocessing of another image runs here), with the error policy and the size check that
 * batches and in-memory sets share.
 */
import type { Rng } from '@spikelite/engine';
import { DataError } from '../errors.js';
import type { F32Image } from '../preprocess/image.js';
import { ImageFileError } from './decode.js';
import type { ImageSource } from './source.js';

/**
 * What to do with an unreadable or corrupt image: 'stop' (the default) throws its one-line
 * error; 'skip' leaves it out and reports it through onWarning.
 */
export type OnImageError = 'stop' | 'skip';

export interface ReadOptions {
  /** Images decoded at once (default 4). */
  concurrency?: number;
  onError?: OnImageError;
  /** Told about each skipped image (one line naming the file). */
  onWarning?: (message: string) => void;
}

/** The shape every image must have; the first image read fixes it when the preprocessing does not. */
export class ShapeCheck {
  private first: { file: string; height: number; width: number; channels: number } | undefined;

  constructor(private readonly source: ImageSource) {
    const fixed = source.preprocess.fixedSize;
    if (fixed) this.first = { file: '', height: fixed[0], width: fixed[1], channels: source.preprocess.channels };
  }

  /** The shape so far: fixed by the preprocessing or by the first image checked. */
  shape(): { height: number; width: number; channels: number } | undefined {
    return this.first && { height: this.first.height, width: this.first.width, channels: this.first.channels };
  }

  check(file: string, img: F32Image): void {
    if (!this.first) {
      this.first = { file, height: img.height, width: img.width, channels: img.channels };
      return;
    }
    const f = this.first;
    if (img.height !== f.height || img.width !== f.width || img.channels !== f.channels) {
      throw new DataError(
        `${file}: image is ${img.height}x${img.width}x${img.channels} (HxWxC) after preprocessing but ${f.file} is ` +
          `${f.height}x${f.width}x${f.channels}: images of different sizes need a resize or crop step ` +
          `(e.g. --transform imagenet, or {"kind":"resize","size":[${f.height},${f.width}]})`,
        { file },
      );
    }
  }
}

export function checkConcurrency(n: number | undefined): number {
  const c = n ?? 4;
  if (!Number.isInteger(c) || c < 1) throw new DataError(`concurrency must be a positive integer, got ${String(n)}`);
  return c;
}

/**
 * Reads images `indices` of `source`, calling `done(k, image)` with each one's position k in
 * `indices` (in completion order), or `skipped(k)` for an image left out under 'skip'.
 */
export async function readEach(
  source: ImageSource,
  indices: ArrayLike<number>,
  opts: ReadOptions & { rngFor?: (index: number) => Rng | undefined },
  done: (k: number, img: F32Image) => void,
  skipped: (k: number) => void,
): Promise<void> {
  const concurrency = checkConcurrency(opts.concurrency);
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < indices.length) {
      const k = next++;
      const index = indices[k]!;
      try {
        const img = await source.read(index, opts.rngFor?.(index));
        if (failed === undefined) done(k, img);
      } catch (err) {
        if (err instanceof ImageFileError && opts.onError === 'skip') {
          opts.onWarning?.(`skipped ${err.message}`);
          skipped(k);
        } else failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, indices.length) }, worker));
  if (failed !== undefined) throw failed;
}
