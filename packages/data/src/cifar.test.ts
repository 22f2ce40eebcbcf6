import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from './errors.js';
import { cifarRecordBytes, decodeCifar, readCifar } from './cifar.js';
import { cifarBytes, cifarPixel, removeTempDirs, tempDir, writeFile } from '../test/fixtures.js';

afterAll(removeTempDirs);

/** HWC index of channel c at (y, x) of image n in a 32x32x3 set. */
const hwc = (n: number, y: number, x: number, c: number): number => ((n * 32 + y) * 32 + x) * 3 + c;

async function dataError(p: Promise<unknown>): Promise<DataError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

describe('CIFAR binary reader', () => {
  it('has the documented record sizes', () => {
    expect(cifarRecordBytes('cifar10')).toBe(3073);
    expect(cifarRecordBytes('cifar100')).toBe(3074);
  });

  for (const gzip of [false, true]) {
    it(`reads CIFAR-10 records ${gzip ? 'gzipped' : 'raw'} and converts CHW to HWC`, async () => {
      const dir = tempDir();
      const a = writeFile(dir, 'data_batch_1.bin', cifarBytes([3, 9]), gzip);
      const b = writeFile(dir, 'data_batch_2.bin', cifarBytes([0]), gzip);
      const set = await readCifar([a, b], 'cifar10');
      expect(set).toMatchObject({ count: 3, height: 32, width: 32, channels: 3, classes: 10 });
      expect(Array.from(set.labels)).toEqual([3, 9, 0]);
      // Image 1, pixel (y=5, x=17): R, G, B differ and must sit side by side in HWC.
      const rgb = [0, 1, 2].map((c) => set.images[hwc(1, 5, 17, c)]);
      expect(rgb).toEqual([0, 1, 2].map((c) => Math.fround(cifarPixel(1, c, 5, 17) / 255)));
      expect(new Set(rgb).size).toBe(3);
      // The third image comes from the second file (its record 0).
      expect(set.images[hwc(2, 31, 0, 2)]).toBe(Math.fround(cifarPixel(0, 2, 31, 0) / 255));
      // Every value round-trips.
      for (let n = 0; n < 3; n++) {
        const src = n < 2 ? n : 0;
        for (const [y, x] of [[0, 0], [31, 31], [12, 3]] as const) {
          for (let c = 0; c < 3; c++) expect(set.images[hwc(n, y, x, c)]).toBe(Math.fround(cifarPixel(src, c, y, x) / 255));
        }
      }
    });
  }

  it('uses the fine label of CIFAR-100 records', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'train.bin', cifarBytes([[4, 87], [19, 2]]));
    const set = await readCifar([file], 'cifar100');
    expect(set.classes).toBe(100);
    expect(Array.from(set.labels)).toEqual([87, 2]);
    expect(set.images[hwc(1, 2, 3, 1)]).toBe(Math.fround(cifarPixel(1, 1, 2, 3) / 255));
  });

  it('decodes only the first `limit` records', () => {
    const set = decodeCifar(
      [
        { file: 'a.bin', bytes: cifarBytes([1, 2]) },
        { file: 'b.bin', bytes: cifarBytes([3, 4]) },
      ],
      'cifar10',
      3,
    );
    expect(set.count).toBe(3);
    expect(set.images.length).toBe(3 * 3072);
    expect(Array.from(set.labels)).toEqual([1, 2, 3]);
  });

  it('rejects a file whose size is not a multiple of the record size', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'data_batch_3.bin', cifarBytes([1, 2]).subarray(0, 3073 + 100));
    const err = await dataError(readCifar([file], 'cifar10'));
    expect(err.message).toBe(
      `${file}: size 3173 bytes is not a multiple of the cifar10 record size 3073 (1 label byte + 3072 pixels); ` +
        '1 whole record and 100 bytes left over',
    );
  });

  it('rejects an empty file', async () => {
    const file = writeFile(tempDir(), 'test_batch.bin', new Uint8Array(0));
    const err = await dataError(readCifar([file], 'cifar10'));
    expect(err.message).toBe(`${file}: empty file, expected CIFAR binary records`);
  });

  it('rejects labels out of range for CIFAR-10 and CIFAR-100', async () => {
    const dir = tempDir();
    const c10 = writeFile(dir, 'test_batch.bin', cifarBytes([1, 10]));
    const err = await dataError(readCifar([c10], 'cifar10'));
    expect(err.message).toBe(`${c10}: record 1: label 10 is out of range for cifar10 (expected 0..9); is this a CIFAR-100 file?`);

    const c100 = writeFile(dir, 'test.bin', cifarBytes([[0, 99], [1, 100]]));
    const err2 = await dataError(readCifar([c100], 'cifar100'));
    expect(err2.message).toBe(`${c100}: record 1: label 100 is out of range for cifar100 (expected 0..99)`);
  });

  it('reports a missing batch file', async () => {
    const dir = tempDir();
    const ok = writeFile(dir, 'data_batch_1.bin', cifarBytes([1]));
    const err = await dataError(readCifar([ok, `${dir}/data_batch_2.bin`], 'cifar10'));
    expect(err.message).toBe(`${dir}/data_batch_2.bin: file not found`);
  });
});
