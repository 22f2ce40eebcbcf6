/**
 * An ImageSource: a list of image files with labels and a preprocessing, read one image at a
 * time. Nothing is decoded until asked, so a folder of any size costs only its file list.
 */
import { stat } from 'node:fs/promises';
import { createRng, type Rng } from '@spikelite/engine';
import type { PreprocessInput } from '@spikelite/schemas';
import { DataError } from '../errors.js';
import { compilePreprocess, type CompiledPreprocess } from '../preprocess/pipeline.js';
import type { F32Image, Picture } from '../preprocess/image.js';
import { cacheKey, type ImageCache } from './cache.js';
import { decodeImageFile, ImageFileError } from './decode.js';
import type { ImageSample } from './scan.js';

export interface ImageSource {
  /** The folder or list file the images come from (for messages). */
  readonly root: string;
  readonly samples: readonly ImageSample[];
  readonly count: number;
  /** Number of classes (of the dataset, not only those present here). */
  readonly classes: number;
  readonly classNames: readonly string[] | undefined;
  readonly preprocess: CompiledPreprocess;
  /** Decodes and preprocesses image `index`; `rng` drives random steps. */
  read(index: number, rng?: Rng): Promise<F32Image>;
}

export interface ImageSourceOptions {
  root: string;
  samples: readonly ImageSample[];
  classes: number;
  classNames?: readonly string[];
  /** A Preprocess, a preset name, or a compiled one. Default: the `tensor` preset (RGB, ToTensor). */
  preprocess?: PreprocessInput | string | CompiledPreprocess;
  cache?: ImageCache;
}

function isCompiled(p: ImageSourceOptions['preprocess']): p is CompiledPreprocess {
  return typeof p === 'object' && 'run' in p;
}

async function stamp(file: string): Promise<{ size: number; mtimeMs: number }> {
  try {
    const s = await stat(file);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImageFileError(file, code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`, err);
  }
}

export function createImageSource(opts: ImageSourceOptions): ImageSource {
  const pre = isCompiled(opts.preprocess) ? opts.preprocess : compilePreprocess(opts.preprocess ?? 'tensor');
  const { samples, cache } = opts;
  const prefixSteps = pre.spec.steps.slice(0, pre.prefixLength);
  const steps = pre.spec.steps.length;

  const prefix = async (file: string): Promise<Picture> => {
    if (!cache) return pre.runSteps(await decodeImageFile(file), 0, pre.prefixLength);
    const key = cacheKey(file, await stamp(file), prefixSteps);
    const hit = await cache.get(key);
    if (hit) return hit;
    const p = pre.runSteps(await decodeImageFile(file), 0, pre.prefixLength);
    await cache.put(key, p);
    return p;
  };

  return {
    root: opts.root,
    samples,
    count: samples.length,
    classes: opts.classes,
    classNames: opts.classNames,
    preprocess: pre,
    async read(index, rng) {
      const sample = samples[index];
      if (!sample) throw new DataError(`image ${index} is out of range: ${opts.root} has ${samples.length} images`);
      const head = await prefix(sample.file);
      const out = pre.runSteps(head, pre.prefixLength, steps, rng);
      return out as F32Image;
    },
  };
}

/** murmur3's 32-bit finaliser. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The rng for the random steps of one image in one epoch: a function of (seed, epoch, index)
 * alone, so augmentation does not depend on decoding order, concurrency or batch size.
 */
export function sampleRng(seed: number, epoch: number, index: number): Rng {
  return createRng(fmix32(fmix32(fmix32(seed >>> 0) ^ (epoch >>> 0)) ^ (index >>> 0)));
}
