/**
 * `folder:DIR` and `list:FILE` datasets as two ImageSources (train and test), streaming;
 * `loadImageDataset` materialises them (bounded) into the Dataset the rest of spikelite takes.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { resolvePreprocess, type Preprocess, type PreprocessInput } from '@spikelite/schemas';
import { subset } from '../batches.js';
import { DataError } from '../errors.js';
import { compilePreprocess } from '../preprocess/pipeline.js';
import type { Dataset } from '../types.js';
import { diskCache } from './cache.js';
import { readImageList, type ListEntry } from './list.js';
import { loadImageSet, pickIndices, type FileImageSet, type LoadImageSetOptions } from './materialise.js';
import { IMAGE_EXTENSIONS, scanImageFolder, splitFolders, type ImageSample } from './scan.js';
import { createImageSource, type ImageSource } from './source.js';
import { parseImageDatasetSpec } from '../image-spec.js';

export interface OpenImageDatasetOptions {
  /** A Preprocess or a preset name (imagenet, tensor, grayscale). Default 'tensor': RGB, ToTensor. */
  preprocess?: PreprocessInput | string;
  /**
   * The model's classes: a count (labels must be below it) or class names (folder names or
   * list labels are matched to them and take their positions). A label outside fails naming
   * the folder or list line.
   */
  classes?: number | readonly string[];
  /** Keep decoded, preprocessed images in this folder (see cache.ts). */
  cacheDir?: string;
  /** Told about files left out of the listing (.bmp, .tif: images this loader cannot decode). */
  onWarning?: (message: string) => void;
}

export interface ImageFileDataset {
  /** The folder's or list file's base name. */
  readonly name: string;
  readonly format: 'folder' | 'list';
  /** The folder, or the list file's folder. */
  readonly dir: string;
  readonly train: ImageSource;
  readonly test: ImageSource;
  /** True when the data has no split and train and test are the same images. */
  readonly sameImages: boolean;
  readonly classNames: readonly string[];
  readonly preprocess: Preprocess;
}

interface Labelled {
  /** The folder or list file the images come from (for messages). */
  readonly root: string;
  readonly samples: ImageSample[];
  readonly classes: number;
  readonly classNames: readonly string[];
}

/**
 * Applies the `classes` expectation to samples whose labels index `names`. `where(label)`
 * names the folder or line of a sample with that label, for the error.
 */
function relabel(
  root: string,
  samples: readonly (ImageSample & { where: string })[],
  names: readonly string[],
  numeric: boolean,
  expected: number | readonly string[] | undefined,
): Labelled {
  const plain = (s: ImageSample): ImageSample => ({ file: s.file, label: s.label });
  if (expected === undefined) return { root, samples: samples.map(plain), classes: names.length, classNames: names };
  if (typeof expected === 'number') {
    const bad = samples.find((s) => s.label >= expected);
    if (bad) {
      throw new DataError(
        `${bad.where}: ${numeric ? 'label' : `class '${names[bad.label]}' has label`} ${bad.label}, outside the model's ` +
          `${expected} classes (0..${expected - 1})${numeric ? '' : `; the data has ${names.length} classes`}`,
        { file: bad.where },
      );
    }
    return { root, samples: samples.map(plain), classes: expected, classNames: numeric ? Array.from({ length: expected }, (_, i) => String(i)) : names };
  }
  if (numeric) {
    const bad = samples.find((s) => s.label >= expected.length);
    if (bad) {
      throw new DataError(`${bad.where}: label ${bad.label} is outside the model's ${expected.length} classes (0..${expected.length - 1})`, {
        file: bad.where,
      });
    }
    return { root, samples: samples.map(plain), classes: expected.length, classNames: expected };
  }
  const index = new Map(expected.map((n, i) => [n, i]));
  const shown = expected.length > 12 ? `${expected.slice(0, 12).join(', ')}, ...` : expected.join(', ');
  return {
    root,
    samples: samples.map((s) => {
      const to = index.get(names[s.label]!);
      if (to === undefined) {
        throw new DataError(`${s.where}: class '${names[s.label]}' is not one of the model's ${expected.length} classes (${shown})`, {
          file: s.where,
        });
      }
      return { file: s.file, label: to };
    }),
    classes: expected.length,
    classNames: expected,
  };
}

async function scanFolder(dir: string, opts: OpenImageDatasetOptions) {
  const scan = await scanImageFolder(dir);
  for (const f of scan.unsupported) opts.onWarning?.(`${f}: left out: only ${IMAGE_EXTENSIONS.join(', ')} images are read`);
  return scan;
}

/** What openFolder and openList find, before sources are made. */
type Opened = Omit<ImageFileDataset, 'preprocess' | 'train' | 'test'> & { train: Labelled; test: Labelled };

async function openFolder(dir: string, opts: OpenImageDatasetOptions): Promise<Opened> {
  const splits = await splitFolders(dir);
  if (!splits) {
    const scan = await scanFolder(dir, opts);
    const where = scan.samples.map((s) => ({ ...s, where: join(dir, scan.classes[s.label]!) }));
    const set = relabel(dir, where, scan.classes, false, opts.classes);
    return { name: basename(dir), format: 'folder', dir, train: set, test: set, sameImages: true, classNames: set.classNames };
  }
  const train = await scanFolder(splits.train, opts);
  const test = await scanFolder(splits.test, opts);
  // Both splits take the training folder's classes (torchvision would number each split's
  // folders separately, which mislabels a split that lacks a class).
  const trainIndex = new Map(train.classes.map((c, i) => [c, i]));
  for (const c of test.classes) {
    if (!trainIndex.has(c)) {
      throw new DataError(`${join(splits.test, c)}: class '${c}' has no folder in ${splits.train}`, { file: join(splits.test, c) });
    }
  }
  const trainSet = relabel(
    splits.train,
    train.samples.map((s) => ({ ...s, where: join(splits.train, train.classes[s.label]!) })),
    train.classes,
    false,
    opts.classes,
  );
  const testSet = relabel(
    splits.test,
    test.samples.map((s) => ({ file: s.file, label: trainIndex.get(test.classes[s.label]!)!, where: join(splits.test, test.classes[s.label]!) })),
    train.classes,
    false,
    opts.classes,
  );
  return { name: basename(dir), format: 'folder', dir, train: trainSet, test: testSet, sameImages: false, classNames: trainSet.classNames };
}

async function openList(file: string, opts: OpenImageDatasetOptions): Promise<Opened> {
  const list = await readImageList(file);
  const where = (e: ListEntry) => ({ file: e.file, label: e.label, where: `${file}:${e.line}` });
  const hasSplit = list.entries.some((e) => e.split !== undefined);
  const dir = dirname(file);
  const name = basename(file).replace(/\.[^.]*$/, '');
  if (!hasSplit) {
    const set = relabel(file, list.entries.map(where), list.classes, list.numeric, opts.classes);
    return { name, format: 'list', dir, train: set, test: set, sameImages: true, classNames: set.classNames };
  }
  const unsplit = list.entries.find((e) => e.split === undefined);
  if (unsplit) throw new DataError(`${file}:${unsplit.line}: no split, while other lines have one (train, val or test)`, { file });
  const train = list.entries.filter((e) => e.split === 'train');
  const test = list.entries.filter((e) => e.split !== 'train');
  if (train.length === 0 || test.length === 0) {
    throw new DataError(`${file}: the split column names ${train.length === 0 ? 'no train' : 'no val or test'} images`, { file });
  }
  const trainSet = relabel(file, train.map(where), list.classes, list.numeric, opts.classes);
  const testSet = relabel(file, test.map(where), list.classes, list.numeric, opts.classes);
  return { name, format: 'list', dir, train: trainSet, test: testSet, sameImages: false, classNames: trainSet.classNames };
}

/**
 * Opens `folder:DIR` (an ImageFolder, or DIR/train + DIR/val|test) or `list:FILE` without
 * decoding anything. A folder or list without a split serves as both train and test.
 */
export async function openImageDataset(spec: string, opts: OpenImageDatasetOptions = {}): Promise<ImageFileDataset> {
  const parsed = parseImageDatasetSpec(spec);
  if (!parsed) throw new DataError(`"${spec}" is not an image dataset: expected folder:DIR or list:FILE`);
  if (parsed.path.trim() === '') throw new DataError(`"${spec}": give the ${parsed.scheme === 'folder' ? 'folder' : 'list file'} after "${parsed.scheme}:"`);
  const path = resolve(parsed.path);
  const preprocess = resolvePreprocess(opts.preprocess ?? 'tensor', 'preprocess');
  const compiled = compilePreprocess(preprocess);
  const cache = opts.cacheDir === undefined ? undefined : diskCache(resolve(opts.cacheDir));
  const opened = parsed.scheme === 'folder' ? await openFolder(path, opts) : await openList(path, opts);
  const source = (set: Labelled): ImageSource =>
    createImageSource({ root: set.root, samples: set.samples, classes: set.classes, classNames: set.classNames, preprocess: compiled, ...(cache ? { cache } : {}) });
  const train = source(opened.train);
  const test = opened.sameImages ? train : source(opened.test);
  return { ...opened, train, test, preprocess };
}

export interface LoadImageDatasetOptions extends OpenImageDatasetOptions, Omit<LoadImageSetOptions, 'limit' | 'onProgress'> {
  limitTrain?: number;
  limitTest?: number;
  /** Progress of reading, per split. */
  onProgress?: (p: { split: 'train' | 'test'; done: number; total: number }) => void;
}

/** A Dataset whose train and test sets are read into memory (bounded by the limits and maxBytes). */
export async function loadImageDataset(spec: string, opts: LoadImageDatasetOptions = {}): Promise<Dataset & { preprocess: Preprocess }> {
  const ds = await openImageDataset(spec, opts);
  const { onProgress, ...setOpts } = opts;
  const load = (source: ImageSource, split: 'train' | 'test', limit: number | undefined): Promise<FileImageSet> =>
    loadImageSet(source, {
      ...setOpts,
      ...(limit === undefined ? {} : { limit }),
      onProgress: (p) => onProgress?.({ split, ...p }),
    });
  let train: FileImageSet;
  let test: FileImageSet;
  if (ds.sameImages) {
    // One read serves both: a smaller limit's pick is the start of the larger one's (same seeded shuffle).
    const { limitTrain: a, limitTest: b } = opts;
    const both = a === undefined || b === undefined ? undefined : Math.max(a, b);
    const all = await load(ds.train, 'train', both);
    train = a === undefined ? all : narrow(all, ds.train, a, setOpts);
    test = b === undefined ? all : narrow(all, ds.train, b, setOpts);
  } else {
    train = await load(ds.train, 'train', opts.limitTrain);
    test = await load(ds.test, 'test', opts.limitTest);
  }
  return { name: ds.name, format: ds.format, dir: ds.dir, train, test, classNames: ds.classNames, preprocess: ds.preprocess };
}

/** The images of a smaller limit out of a set read with a larger one (a limit's pick is the start of a larger one's). */
function narrow(set: FileImageSet, source: ImageSource, limit: number, opts: LoadImageSetOptions): FileImageSet {
  const want = new Set(pickIndices(source.count, limit, opts.pick ?? 'random', opts.seed ?? 0));
  if (want.size === set.count + set.skipped.length) return set;
  const rows: number[] = [];
  set.indices.forEach((i, row) => {
    if (want.has(i)) rows.push(row);
  });
  const have = new Set(set.indices);
  const skipped = [...want].filter((i) => !have.has(i)).map((i) => source.samples[i]!.file);
  return {
    ...subset(set, rows),
    indices: Int32Array.from(rows, (r) => set.indices[r]!),
    files: rows.map((r) => set.files[r]!),
    skipped,
  };
}
