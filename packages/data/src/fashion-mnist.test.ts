import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, SYSTEM_DATA_DIR } from './registry.js';
import type { ImageSet } from './types.js';

// The real data from Debian's dataset-fashion-mnist package, when installed.
const DIR = join(SYSTEM_DATA_DIR, 'fashion-mnist');
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const present = FILES.every((f) => existsSync(join(DIR, f)));
if (!present) console.warn(`SKIPPED real Fashion-MNIST tests: files not found in ${DIR} (apt install dataset-fashion-mnist)`);

function classCounts(set: ImageSet): number[] {
  const counts = new Array<number>(set.classes).fill(0);
  for (const l of set.labels) counts[l]!++;
  return counts;
}

function range(a: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

describe('real Fashion-MNIST', () => {
  it.skipIf(!present)('loads 60000 train / 10000 test 28x28x1 images, balanced classes, pixels in [0, 1]', async () => {
    // Resolve through the system root only, so a SPIKELITE_DATA_DIR on the machine cannot interfere.
    const ds = await loadDataset('fashion-mnist', { roots: [SYSTEM_DATA_DIR] });
    expect(ds.dir).toBe(DIR);
    for (const [set, n] of [[ds.train, 60000], [ds.test, 10000]] as const) {
      expect(set).toMatchObject({ count: n, height: 28, width: 28, channels: 1, classes: 10 });
      expect(set.images.length).toBe(n * 784);
      expect(classCounts(set)).toEqual(new Array(10).fill(n / 10));
      expect(range(set.images)).toEqual([0, 1]);
    }
    expect(ds.classNames?.[0]).toBe('T-shirt/top');
  });

  it.skipIf(!present)('honours limitTrain and limitTest, taking the first images', async () => {
    const ds = await loadDataset('fashion-mnist', { roots: [SYSTEM_DATA_DIR], limitTrain: 100, limitTest: 30 });
    expect(ds.train.count).toBe(100);
    expect(ds.test.count).toBe(30);
    expect(ds.train.images.length).toBe(100 * 784);
    // The first training label of Fashion-MNIST is 9 (ankle boot), the first test label too.
    expect(ds.train.labels[0]).toBe(9);
    expect(ds.test.labels[0]).toBe(9);
  });
});
