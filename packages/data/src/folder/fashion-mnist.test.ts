/**
 * Real data: the shipped Fashion-MNIST subset written out by PIL as a PNG and a JPEG
 * ImageFolder (tooling/fixtures/folder/make_fashion_folders.py; the archives hold val/ = all
 * 1,000 test images and train/ = the first 200 training images).
 *
 * Documented order: a folder lists class 0's images, then class 1's, ...; within a class, by
 * file name, which is the IDX index. So folder image k is IDX image order[k], where order
 * sorts the indices by (label, index).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batches } from '../batches.js';
import { idxImageSet, readIdx } from '../idx.js';
import { loadDataset } from '../registry.js';
import type { ImageSet } from '../types.js';
import { removeTempDirs, tempDir } from '../../test/fixtures.js';
import { extractTarGz } from '../../test/tar.js';
import { decodeImageFile } from './decode.js';
import { openImageDataset } from './open.js';
import { folderBatches } from './stream.js';
import { compilePreprocess } from '../preprocess/pipeline.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const FIXTURES = join(ROOT, 'tooling/fixtures/folder');
const MINI = join(ROOT, 'apps/cli/data/fashion-mnist-mini');

async function idxSet(images: string, labels: string, limit?: number): Promise<ImageSet> {
  const files = { images: join(MINI, images), labels: join(MINI, labels) };
  return idxImageSet(await readIdx(files.images), await readIdx(files.labels, 1), files, {
    classes: 10,
    ...(limit === undefined ? {} : { limit }),
  });
}

/** IDX indices in folder order: by label, then index. */
function folderOrder(set: ImageSet): number[] {
  return [...set.labels.keys()].sort((a, b) => set.labels[a]! - set.labels[b]! || a - b);
}

let png: string;
let jpeg: string;
beforeAll(() => {
  png = tempDir();
  jpeg = tempDir();
  extractTarGz(join(FIXTURES, 'fashion-mnist-mini-png.tar.gz'), png);
  extractTarGz(join(FIXTURES, 'fashion-mnist-mini-jpeg.tar.gz'), jpeg);
});
afterAll(removeTempDirs);

describe('Fashion-MNIST mini as a PNG ImageFolder', () => {
  it('reads to exactly the IDX tensors and labels, in the documented order', async () => {
    const ds = await loadDataset(`folder:${png}`, { images: { preprocess: 'grayscale' } });
    expect(ds.format).toBe('folder');
    expect(ds.classNames).toEqual(['0-t-shirt-top', '1-trouser', '2-pullover', '3-dress', '4-coat', '5-sandal', '6-shirt', '7-sneaker', '8-bag', '9-ankle-boot']);
    expect(ds.preprocess?.name).toBe('grayscale');
    const idxTest = await idxSet('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
    const idxTrain = await idxSet('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 200);
    for (const [set, idx] of [[ds.test, idxTest], [ds.train, idxTrain]] as const) {
      expect([set.count, set.height, set.width, set.channels, set.classes]).toEqual([idx.count, 28, 28, 1, 10]);
      const order = folderOrder(idx);
      const files = (set as ImageSet & { files: string[] }).files;
      expect(files.map((f) => Number(basename(f, '.png')))).toEqual(order);
      for (const [k, i] of order.entries()) {
        expect(set.labels[k]).toBe(idx.labels[i]);
        const ours = set.images.subarray(k * 784, (k + 1) * 784);
        const theirs = idx.images.subarray(i * 784, (i + 1) * 784);
        expect(ours).toEqual(theirs); // exact: same float32 values
      }
    }
  });

  it('streams the same batches as the in-memory set, for the same seed', async () => {
    const ds = await openImageDataset(`folder:${png}`, { preprocess: 'grayscale' });
    const mem = await loadDataset(`folder:${png}`, { images: { preprocess: 'grayscale' } });
    const streamed = [];
    for await (const b of folderBatches(ds.test, { batchSize: 96, shuffle: 7 })) streamed.push(b);
    const inMemory = [...batches(mem.test, { batchSize: 96, shuffle: 7 })];
    expect(streamed.length).toBe(inMemory.length);
    streamed.forEach((b, i) => {
      expect(b.indices).toEqual(inMemory[i]!.indices);
      expect(b.labels).toEqual(inMemory[i]!.labels);
      expect(b.images).toEqual(inMemory[i]!.images);
    });
  });
});

describe('Fashion-MNIST mini as a JPEG ImageFolder', () => {
  it("decodes as Pillow does (its bytes for the first 100 val images: measured equal)", async () => {
    const pil = readFileSync(join(FIXTURES, 'fashion-mnist-mini-jpeg-pil.u8'));
    const ds = await openImageDataset(`folder:${jpeg}`);
    const grey = compilePreprocess({ steps: [{ kind: 'grayscale' }, { kind: 'toTensor' }] });
    for (let k = 0; k < 100; k++) {
      const img = await decodeImageFile(ds.test.samples[k]!.file);
      const ours = grey.run(img).data;
      const theirs = Float32Array.from(pil.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
      expect(ours, ds.test.samples[k]!.file).toEqual(theirs);
    }
  });

  it('is close to the IDX images (JPEG quality 90 is lossy: a bound, not equality)', async () => {
    const ds = await loadDataset(`folder:${jpeg}`, { images: { preprocess: 'grayscale' } });
    const idx = await idxSet('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
    const order = folderOrder(idx);
    let sum = 0;
    order.forEach((i, k) => {
      for (let p = 0; p < 784; p++) sum += Math.abs(ds.test.images[k * 784 + p]! - idx.images[i * 784 + p]!);
    });
    const meanAbs = sum / (order.length * 784);
    expect(meanAbs).toBeGreaterThan(0); // it is lossy
    expect(meanAbs).toBeLessThan(0.02);
    expect(Array.from(ds.test.labels)).toEqual(order.map((i) => idx.labels[i]));
  });
});
