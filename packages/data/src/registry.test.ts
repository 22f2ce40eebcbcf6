import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DataError } from './errors.js';
import { DATA_DIR_ENV, FASHION_MNIST_CLASS_NAMES, SYSTEM_DATA_DIR, dataRoots, loadDataset, type LoadOptions } from './registry.js';
import {
  cifarBytes,
  cifarPixel,
  idxBytes,
  idxPixels,
  pixel,
  removeTempDirs,
  tempDir,
  writeFile,
  writeIdxDataset,
  type IdxSetSpec,
} from '../test/fixtures.js';

afterAll(removeTempDirs);

const TRAIN: IdxSetSpec = { count: 5, height: 3, width: 2, labels: [4, 0, 1, 4, 2] };
const TEST: IdxSetSpec = { count: 3, height: 3, width: 2, labels: [1, 5, 0] };

async function loadError(nameOrDir: string, opts?: LoadOptions): Promise<DataError> {
  const err = await loadDataset(nameOrDir, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('loadDataset from a directory', () => {
  it('reads raw IDX files with the standard names', async () => {
    const dir = join(tempDir(), 'my-digits');
    writeIdxDataset(dir, TRAIN, TEST);
    const ds = await loadDataset(dir);
    expect(ds).toMatchObject({ name: 'my-digits', format: 'idx', dir });
    expect(ds.classNames).toBeUndefined();
    expect(ds.train).toMatchObject({ count: 5, height: 3, width: 2, channels: 1, classes: 6 });
    expect(ds.test).toMatchObject({ count: 3, classes: 6 }); // max label over both sets is 5
    expect(Array.from(ds.train.labels)).toEqual(TRAIN.labels);
    expect(Array.from(ds.test.labels)).toEqual(TEST.labels);
    expect(Array.from(ds.test.images)).toEqual(Array.from(idxPixels(TEST), (v) => Math.fround(v / 255)));
  });

  it('reads gzipped IDX files with the dotted "-images.idx3-ubyte" names', async () => {
    const dir = tempDir();
    writeIdxDataset(dir, TRAIN, TEST, { gzip: true, dotted: true });
    const ds = await loadDataset(dir);
    expect(ds.format).toBe('idx');
    expect(ds.train.images[4 * 6 + 5]).toBe(Math.fround(pixel(4, 5) / 255));
    expect(Array.from(ds.train.labels)).toEqual(TRAIN.labels);
  });

  it('reads CIFAR-10 batches in numeric order, also inside cifar-10-batches-bin/', async () => {
    for (const sub of ['', 'cifar-10-batches-bin']) {
      const root = tempDir();
      const dir = join(root, sub);
      writeFile(dir, 'data_batch_2.bin', cifarBytes([2, 2]));
      writeFile(dir, 'data_batch_1.bin', cifarBytes([1]));
      writeFile(dir, 'data_batch_10.bin', cifarBytes([9]));
      writeFile(dir, 'test_batch.bin', cifarBytes([5, 6, 7]));
      const ds = await loadDataset(root);
      expect(ds).toMatchObject({ name: 'cifar10', format: 'cifar10', dir });
      expect(Array.from(ds.train.labels)).toEqual([1, 2, 2, 9]);
      expect(Array.from(ds.test.labels)).toEqual([5, 6, 7]);
      expect(ds.classNames?.[0]).toBe('airplane');
      // test image 2, pixel (y=1, x=2): R, G, B adjacent (HWC)
      const at = ((2 * 32 + 1) * 32 + 2) * 3;
      expect(Array.from(ds.test.images.subarray(at, at + 3))).toEqual(
        [0, 1, 2].map((c) => Math.fround(cifarPixel(2, c, 1, 2) / 255)),
      );
    }
  });

  it('reads CIFAR-100 train.bin/test.bin with fine labels and optional label names', async () => {
    const root = tempDir();
    const dir = join(root, 'cifar-100-binary');
    writeFile(dir, 'train.bin', cifarBytes([[1, 50], [2, 99]]));
    writeFile(dir, 'test.bin', cifarBytes([[3, 7]]));
    writeFile(dir, 'fine_label_names.txt', new TextEncoder().encode(Array.from({ length: 100 }, (_, i) => `c${i}`).join('\n') + '\n'));
    const ds = await loadDataset(root, { limitTrain: 1 });
    expect(ds).toMatchObject({ name: 'cifar100', format: 'cifar100', dir });
    expect(ds.train).toMatchObject({ count: 1, classes: 100 });
    expect(Array.from(ds.train.labels)).toEqual([50]);
    expect(Array.from(ds.test.labels)).toEqual([7]);
    expect(ds.classNames?.[99]).toBe('c99');
  });

  it('takes the first limitTrain / limitTest images and validates the limits', async () => {
    const dir = tempDir();
    writeIdxDataset(dir, TRAIN, TEST);
    const ds = await loadDataset(dir, { limitTrain: 2, limitTest: 10 });
    expect(ds.train.count).toBe(2);
    expect(ds.train.images.length).toBe(12);
    expect(Array.from(ds.train.labels)).toEqual([4, 0]);
    expect(ds.test.count).toBe(3); // a limit above the size keeps everything
    for (const bad of [0, -3, 1.5, Number.NaN]) {
      const err = await loadError(dir, { limitTest: bad });
      expect(err.message).toBe(`limitTest must be a positive integer, got ${bad}`);
    }
    expect((await loadError(dir, { limitTrain: 0 })).message).toContain('limitTrain');
  });

  it('names every format looked for when a directory is empty', async () => {
    const dir = tempDir();
    const err = await loadError(dir);
    expect(err.message).toContain(`${dir}: no dataset files found`);
    expect(err.message).toContain('train-images-idx3-ubyte');
    expect(err.message).toContain('data_batch_1.bin');
    expect(err.message).toContain('train.bin and test.bin');
  });

  it('says which IDX files are missing from an incomplete directory', async () => {
    const dir = tempDir();
    writeIdxDataset(dir, TRAIN, TEST, { gzip: true });
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    const err = await loadError(dir);
    expect(err.message).toContain('IDX files incomplete');
    expect(err.message).toContain('but not t10k-labels-idx1-ubyte[.gz]');
  });

  it('rejects train and test images of different shapes', async () => {
    const dir = tempDir();
    writeIdxDataset(dir, TRAIN, { ...TEST, width: 3 });
    const err = await loadError(dir);
    expect(err.message).toBe(`${join(dir, 't10k-images-idx3-ubyte')}: images are 3x3 but ${join(dir, 'train-images-idx3-ubyte')} has 3x2`);
  });

  it('passes through file errors from inside the directory', async () => {
    const dir = tempDir();
    writeIdxDataset(dir, TRAIN, TEST);
    writeFile(dir, 'train-labels-idx1-ubyte', idxBytes([5], [1, 2, 3]));
    const err = await loadError(dir);
    expect(err.message).toContain(`${join(dir, 'train-labels-idx1-ubyte')}: truncated: header says 5 = 5 bytes, file has 3`);
  });
});

describe('loadDataset by name', () => {
  const saved = process.env[DATA_DIR_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[DATA_DIR_ENV];
    else process.env[DATA_DIR_ENV] = saved;
  });

  const fmnist = (root: string, labels: IdxSetSpec['labels'] = [9, 0, 3, 3, 1]): void =>
    writeIdxDataset(join(root, 'fashion-mnist'), { ...TRAIN, labels }, TEST, { gzip: true });

  it('finds fashion-mnist under the dataDir option, with class names and 10 classes', async () => {
    const root = tempDir();
    fmnist(root);
    const ds = await loadDataset('fashion-mnist', { dataDir: root });
    expect(ds).toMatchObject({ name: 'fashion-mnist', format: 'idx', dir: join(root, 'fashion-mnist') });
    expect(ds.train.classes).toBe(10);
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(ds.classNames?.[9]).toBe('Ankle boot');
    expect(Array.from(ds.train.labels)).toEqual([9, 0, 3, 3, 1]);
  });

  it('finds a dataset under $SPIKELITE_DATA_DIR, and accepts aliases in any case', async () => {
    const root = tempDir();
    fmnist(root);
    process.env[DATA_DIR_ENV] = root;
    expect(dataRoots()).toEqual([root, SYSTEM_DATA_DIR]);
    const ds = await loadDataset('FMNIST');
    expect(ds.dir).toBe(join(root, 'fashion-mnist'));
    expect(ds.name).toBe('fashion-mnist');
  });

  it('searches the dataDir option before the env var', async () => {
    const a = tempDir();
    const b = tempDir();
    fmnist(a, [1, 1, 1, 1, 1]);
    fmnist(b, [2, 2, 2, 2, 2]);
    process.env[DATA_DIR_ENV] = b;
    expect(dataRoots({ dataDir: a })).toEqual([a, b, SYSTEM_DATA_DIR]);
    const ds = await loadDataset('fashion-mnist', { dataDir: a });
    expect(Array.from(ds.train.labels)).toEqual([1, 1, 1, 1, 1]);
  });

  it('rejects labels beyond the registered class count, naming the labels file', async () => {
    const root = tempDir();
    fmnist(root, [1, 2, 10, 3, 4]);
    const err = await loadError('fashion-mnist', { roots: [root] });
    expect(err.message).toBe(
      `${join(root, 'fashion-mnist', 'train-labels-idx1-ubyte.gz')}: label 10 at index 2 is out of range (expected 0..9)`,
    );
  });

  it('tells the user how to supply MNIST when it is missing', async () => {
    const root = tempDir();
    const err = await loadError('mnist', { roots: [root] });
    expect(err.message).toContain('dataset "mnist" not found');
    expect(err.message).toContain(`${join(root, 'mnist')} (missing)`);
    expect(err.message).toContain('No Debian package provides MNIST');
    expect(err.message).toContain(`$${DATA_DIR_ENV}/mnist/`);
    expect(err.message).toContain('train-images-idx3-ubyte.gz');
  });

  it('says when a named directory holds another format', async () => {
    const root = tempDir();
    writeFile(join(root, 'fashion-mnist'), 'train.bin', cifarBytes([[0, 1]]));
    writeFile(join(root, 'fashion-mnist'), 'test.bin', cifarBytes([[0, 1]]));
    const err = await loadError('fashion-mnist', { roots: [root] });
    expect(err.message).toContain(`${join(root, 'fashion-mnist')} (holds cifar100, not idx)`);
    expect(err.message).toContain('apt install dataset-fashion-mnist');
  });

  it('rejects an unknown name that is not a directory, listing the registered names', async () => {
    const err = await loadError('imagenet-1k');
    expect(err.message).toMatch(/^unknown dataset "imagenet-1k": not a registered name \(fashion-mnist, mnist, cifar10, cifar100\), not folder:DIR, list:FILE or nmnist:DIR, and not a directory \(.*imagenet-1k does not exist\)$/);
    const file = writeFile(tempDir(), 'x.bin', new Uint8Array(3));
    expect((await loadError(file)).message).toContain(`${file} is a file, not a directory`);
  });
});
