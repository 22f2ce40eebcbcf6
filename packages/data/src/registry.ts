/**
 * `loadDataset(nameOrDir)`: a registered name (fashion-mnist, mnist, cifar10, cifar100)
 * is looked up in data roots; `folder:DIR` and `list:FILE` read image files (folder/);
 * `nmnist:DIR` reads event recordings as clips of frames (events/); anything else is read as a directory of IDX or CIFAR binary files. Loading is offline:
 * nothing is downloaded.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { decodeCifar, CIFAR10_CLASS_NAMES, type CifarVariant } from './cifar.js';
import { detectDatasetFiles, isDirectory, LOOKED_FOR, type CifarFiles, type DatasetFiles, type IdxFiles } from './detect.js';
import { DataError, fileError } from './errors.js';
import { readMaybeGzip } from './files.js';
import { idxImageSet, readIdx } from './idx.js';
import type { BinaryDatasetFormat, Dataset, ImageSet } from './types.js';
import { parseImageDatasetSpec } from './image-spec.js';
import type { LoadImageDatasetOptions } from './folder/open.js';
import { DEFAULT_EVENT_BINS, openEventDataset, parseEventDatasetSpec, type EventDatasetOptions } from './events/dataset.js';

/** Env var naming a directory that holds `<dataset>/` subdirectories. */
export const DATA_DIR_ENV = 'SPIKELITE_DATA_DIR';
/** Where Debian's dataset packages install (e.g. `dataset-fashion-mnist`). */
export const SYSTEM_DATA_DIR = '/usr/share/datasets';

export interface LoadOptions {
  /** Keep the first N training images (positive integer). */
  limitTrain?: number;
  /** Keep the first N test images (positive integer). */
  limitTest?: number;
  /** A directory holding `<dataset>/` subdirectories; searched before $SPIKELITE_DATA_DIR. */
  dataDir?: string;
  /**
   * The complete list of data roots searched for a named dataset, in order. Default:
   * [dataDir, $SPIKELITE_DATA_DIR, /usr/share/datasets] (those that are set).
   */
  roots?: readonly string[];
  /**
   * For `folder:DIR` and `list:FILE` only: preprocessing, expected classes, error policy,
   * progress, cache and the rest (see `@spikelite/data/folder`). Ignored for other datasets.
   */
  images?: Omit<LoadImageDatasetOptions, 'limitTrain' | 'limitTest'>;
  /**
   * For event datasets (`nmnist:DIR`) only: how recordings become frames. `bins` (time bins,
   * i.e. frames per clip) defaults to DEFAULT_EVENT_BINS (10). Ignored for other datasets.
   */
  events?: Partial<Omit<EventDatasetOptions, 'limitTrain' | 'limitTest'>>;
}

/** One registered dataset; adding a dataset is adding one of these to DATASETS. */
export interface DatasetEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly format: BinaryDatasetFormat;
  /** Subdirectories of a data root that may hold the files, in order of preference. */
  readonly subdirs: readonly string[];
  readonly classes: number;
  readonly classNames?: readonly string[];
  /** Told to the user when the files are not found. */
  readonly howToGet: string;
}

export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

const ENTRIES: readonly DatasetEntry[] = [
  {
    name: 'fashion-mnist',
    aliases: ['fashion_mnist', 'fashionmnist', 'fmnist'],
    description: 'Fashion-MNIST: 28x28 grey clothing images, 10 classes, 60000 train / 10000 test',
    format: 'idx',
    subdirs: ['fashion-mnist'],
    classes: 10,
    classNames: FASHION_MNIST_CLASS_NAMES,
    howToGet:
      `Install Debian's package (apt install dataset-fashion-mnist), or put the four IDX files in ` +
      `$${DATA_DIR_ENV}/fashion-mnist/, or pass the directory that holds them.`,
  },
  {
    name: 'mnist',
    aliases: [],
    description: 'MNIST: 28x28 grey handwritten digits, 10 classes, 60000 train / 10000 test',
    format: 'idx',
    subdirs: ['mnist'],
    classes: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    howToGet:
      `No Debian package provides MNIST: copy train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, ` +
      `t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (from https://yann.lecun.com/exdb/mnist/ ` +
      `or a mirror) into $${DATA_DIR_ENV}/mnist/ or ${SYSTEM_DATA_DIR}/mnist/, or pass the directory that holds them.`,
  },
  {
    name: 'cifar10',
    aliases: ['cifar-10'],
    description: 'CIFAR-10 (binary version): 32x32 colour images, 10 classes, 50000 train / 10000 test',
    format: 'cifar10',
    subdirs: ['cifar10', 'cifar-10', 'cifar-10-batches-bin'],
    classes: 10,
    classNames: CIFAR10_CLASS_NAMES,
    howToGet:
      `Unpack cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) into ` +
      `$${DATA_DIR_ENV}/cifar10/, or pass the directory that holds data_batch_*.bin and test_batch.bin.`,
  },
  {
    name: 'cifar100',
    aliases: ['cifar-100'],
    description: 'CIFAR-100 (binary version, fine labels): 32x32 colour images, 100 classes, 50000 train / 10000 test',
    format: 'cifar100',
    subdirs: ['cifar100', 'cifar-100', 'cifar-100-binary'],
    classes: 100,
    howToGet:
      `Unpack cifar-100-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar.html) into ` +
      `$${DATA_DIR_ENV}/cifar100/, or pass the directory that holds train.bin and test.bin.`,
  },
];

/** Registered datasets by name and alias (lower case). */
export const DATASETS: ReadonlyMap<string, DatasetEntry> = new Map(
  ENTRIES.flatMap((e) => [e.name, ...e.aliases].map((k) => [k, e] as const)),
);

/** The registered names (without aliases), for help texts. */
export function datasetNames(): string[] {
  return ENTRIES.map((e) => e.name);
}

function checkLimit(field: 'limitTrain' | 'limitTest', value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new DataError(`${field} must be a positive integer, got ${String(value)}`);
  }
}

/** The data roots searched for a named dataset (see LoadOptions.roots). */
export function dataRoots(opts: Pick<LoadOptions, 'dataDir' | 'roots'> = {}): string[] {
  if (opts.roots) return [...opts.roots];
  const env = process.env[DATA_DIR_ENV];
  const roots = [opts.dataDir, env === '' ? undefined : env, SYSTEM_DATA_DIR].filter(
    (r): r is string => r !== undefined,
  );
  return [...new Set(roots.map((r) => resolve(r)))];
}

/**
 * Loads a dataset by registered name (`fashion-mnist`, `mnist`, `cifar10`, `cifar100`,
 * case-insensitive) or from a directory of IDX / CIFAR binary files. Throws DataError
 * naming the file and problem on any failure.
 */
export async function loadDataset(nameOrDir: string, opts: LoadOptions = {}): Promise<Dataset> {
  checkLimit('limitTrain', opts.limitTrain);
  checkLimit('limitTest', opts.limitTest);
  if (parseImageDatasetSpec(nameOrDir)) return loadImages(nameOrDir, opts);
  const events = parseEventDatasetSpec(nameOrDir);
  if (events) return loadEvents(events, opts);
  const entry = DATASETS.get(nameOrDir.toLowerCase());
  if (entry) return loadNamed(entry, opts);
  const dir = resolve(nameOrDir);
  if (!(await isDirectory(dir))) {
    const what = existsSync(dir) ? `${dir} is a file, not a directory` : `${dir} does not exist`;
    throw new DataError(
      `unknown dataset "${nameOrDir}": not a registered name (${datasetNames().join(', ')}), not folder:DIR, list:FILE or nmnist:DIR, and not a directory (${what})`,
      { file: dir },
    );
  }
  const { found, partial } = await detectDatasetFiles(dir);
  if (!found) {
    throw new DataError(
      // One line: the CLI prints it as is.
      `${dir}: no dataset files found; looked for ${Object.values(LOOKED_FOR).join('; ')}` +
        (partial.length > 0 ? `; ${partial.join('; ')}` : ''),
      { file: dir },
    );
  }
  const name = found.format === 'idx' ? basename(dir) : found.format;
  return loadFiles(found, name, opts, undefined);
}

/**
 * Image files are read by folder/, which is Node-only (fs, the native decoder sharp): it is
 * imported here on demand, under a name bundlers do not follow, so the browser build never
 * sees it. The name is the package's own subpath export (a self-reference): Node resolves it
 * to dist, and vitest, through the `source` condition, to the sources even when the importing
 * test is another package's (a relative './folder/open.js' is not mapped to its .ts there).
 */
const FOLDER_MODULE = '@spikelite/data/folder';

async function loadImages(spec: string, opts: LoadOptions): Promise<Dataset> {
  const folder = (await import(/* @vite-ignore */ /* webpackIgnore: true */ FOLDER_MODULE)) as typeof import('./folder/index.js');
  return folder.loadImageDataset(spec, {
    ...opts.images,
    ...(opts.limitTrain === undefined ? {} : { limitTrain: opts.limitTrain }),
    ...(opts.limitTest === undefined ? {} : { limitTest: opts.limitTest }),
  });
}

async function loadEvents(spec: { name: string; path: string }, opts: LoadOptions): Promise<Dataset> {
  if (spec.path.trim() === '') throw new DataError(`"${spec.name}:": give the directory that holds Train/ and Test/ after "${spec.name}:"`);
  const bins = opts.events?.bins ?? DEFAULT_EVENT_BINS;
  if (!Number.isInteger(bins) || bins < 1) throw new DataError(`${spec.name}: bins (time bins per recording) must be a positive integer, got ${bins}`);
  return openEventDataset(spec.name, resolve(spec.path), {
    ...opts.events,
    bins,
    ...(opts.limitTrain === undefined ? {} : { limitTrain: opts.limitTrain }),
    ...(opts.limitTest === undefined ? {} : { limitTest: opts.limitTest }),
  });
}

async function loadNamed(entry: DatasetEntry, opts: LoadOptions): Promise<Dataset> {
  const looked: string[] = [];
  const notes: string[] = [];
  for (const root of dataRoots(opts)) {
    for (const sub of entry.subdirs) {
      const dir = join(root, sub);
      if (!(await isDirectory(dir))) {
        looked.push(`${dir} (missing)`);
        continue;
      }
      const { found, partial } = await detectDatasetFiles(dir);
      notes.push(...partial);
      if (found && found.format === entry.format) return loadFiles(found, entry.name, opts, entry);
      looked.push(found ? `${dir} (holds ${found.format}, not ${entry.format})` : `${dir} (no ${entry.format} files)`);
    }
  }
  throw new DataError(
    `dataset "${entry.name}" not found. Looked in ${looked.join(', ')} for ${LOOKED_FOR[entry.format]}.` +
      (notes.length > 0 ? ` ${notes.join('; ')}.` : '') +
      ` ${entry.howToGet}`,
  );
}

async function loadFiles(
  files: DatasetFiles,
  name: string,
  opts: LoadOptions,
  entry: DatasetEntry | undefined,
): Promise<Dataset> {
  const base = { name, format: files.format, dir: files.dir };
  if (files.format === 'idx') {
    const { train, test } = await loadIdxFiles(files, opts, entry?.classes);
    return entry?.classNames ? { ...base, train, test, classNames: entry.classNames } : { ...base, train, test };
  }
  const variant: CifarVariant = files.format;
  const [trainParts, testParts, classNames] = await Promise.all([
    readParts(files.train),
    readParts(files.test),
    cifarClassNames(files, entry),
  ]);
  const train = decodeCifar(trainParts, variant, opts.limitTrain);
  const test = decodeCifar(testParts, variant, opts.limitTest);
  return classNames ? { ...base, train, test, classNames } : { ...base, train, test };
}

async function readParts(files: readonly string[]): Promise<{ file: string; bytes: Uint8Array }[]> {
  return Promise.all(files.map(async (file) => ({ file, bytes: await readMaybeGzip(file) })));
}

async function loadIdxFiles(
  files: IdxFiles,
  opts: LoadOptions,
  classes: number | undefined,
): Promise<{ train: ImageSet; test: ImageSet }> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdx(files.trainImages),
    readIdx(files.trainLabels, 1),
    readIdx(files.testImages),
    readIdx(files.testLabels, 1),
  ]);
  const trainShape = trainImages.dims.slice(1).join('x');
  const testShape = testImages.dims.slice(1).join('x');
  if (trainShape !== testShape) {
    throw fileError(files.testImages, `images are ${testShape} but ${files.trainImages} has ${trainShape}`);
  }
  // An unregistered IDX directory has as many classes as its largest label says.
  let n = classes;
  if (n === undefined) {
    let max = 0;
    for (const l of trainLabels.data) if (l > max) max = l;
    for (const l of testLabels.data) if (l > max) max = l;
    n = max + 1;
  }
  const train = idxImageSet(trainImages, trainLabels, { images: files.trainImages, labels: files.trainLabels }, {
    classes: n,
    ...(opts.limitTrain === undefined ? {} : { limit: opts.limitTrain }),
  });
  const test = idxImageSet(testImages, testLabels, { images: files.testImages, labels: files.testLabels }, {
    classes: n,
    ...(opts.limitTest === undefined ? {} : { limit: opts.limitTest }),
  });
  return { train, test };
}

/** Label names: the registry's, else the file shipped with the binary version (one per line). */
async function cifarClassNames(files: CifarFiles, entry: DatasetEntry | undefined): Promise<readonly string[] | undefined> {
  if (entry?.classNames) return entry.classNames;
  if (files.format === 'cifar10') return CIFAR10_CLASS_NAMES;
  if (!files.classNamesFile) return undefined;
  try {
    const names = (await readFile(files.classNamesFile, 'utf8')).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
    return names.length === 100 ? names : undefined;
  } catch {
    return undefined; // names are a convenience; their absence is not an error
  }
}
