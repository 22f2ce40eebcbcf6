import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DataError } from './errors.js';
import { parseIdx, readIdx, readIdxImageSet } from './idx.js';
import { idxBytes, removeTempDirs, tempDir, writeFile } from '../test/fixtures.js';

afterAll(removeTempDirs);

/** The DataError a promise rejects with (fails the test if it resolves or throws something else). */
async function dataError(p: Promise<unknown>): Promise<DataError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

// 3 images of 2 rows x 4 columns: non-square so that a row/column swap would show.
const DIMS = [3, 2, 4];
const PIXELS = Array.from({ length: 24 }, (_, i) => (i * 29 + 3) % 256);
PIXELS[5] = 255;
PIXELS[6] = 0;
const LABELS = [7, 0, 9];

describe('IDX reader', () => {
  for (const gzip of [false, true]) {
    it(`reads ${gzip ? 'gzipped' : 'raw'} images and labels exactly`, async () => {
      const dir = tempDir();
      const img = writeFile(dir, 'imgs', idxBytes(DIMS, PIXELS), gzip);
      const lab = writeFile(dir, 'labs', idxBytes([3], LABELS), gzip);
      const set = await readIdxImageSet(img, lab);
      expect(set).toMatchObject({ count: 3, height: 2, width: 4, channels: 1, classes: 10 });
      expect(Array.from(set.labels)).toEqual(LABELS);
      expect(Array.from(set.images)).toEqual(PIXELS.map((v) => Math.fround(v / 255)));
      // image 1, row 1, column 2 -> byte 8 + 4 + 2
      expect(set.images[1 * 8 + 1 * 4 + 2]).toBe(Math.fround(PIXELS[14]! / 255));
      expect(set.images[5]).toBe(1);
    });
  }

  it('detects gzip by its magic bytes, not by the file name', async () => {
    const dir = tempDir();
    const gz = writeFile(dir, 'plain-name-idx1-ubyte', idxBytes([3], LABELS), true);
    const raw = writeFile(dir, 'looks-compressed.gz', idxBytes([3], LABELS), false);
    expect(Array.from((await readIdx(gz)).data)).toEqual(LABELS);
    expect(Array.from((await readIdx(raw)).data)).toEqual(LABELS);
  });

  it('applies a limit to images and labels', async () => {
    const dir = tempDir();
    const set = await readIdxImageSet(
      writeFile(dir, 'i', idxBytes(DIMS, PIXELS)),
      writeFile(dir, 'l', idxBytes([3], LABELS)),
      { limit: 2 },
    );
    expect(set.count).toBe(2);
    expect(set.images.length).toBe(16);
    expect(Array.from(set.labels)).toEqual([7, 0]);
  });

  it('rejects a truncated data section, naming the file and both sizes', async () => {
    const dir = tempDir();
    const bytes = idxBytes([10, 28, 28], new Uint8Array(1234));
    const file = writeFile(dir, 't10k-images-idx3-ubyte.gz', bytes, true);
    const err = await dataError(readIdx(file));
    expect(err.message).toContain('t10k-images-idx3-ubyte.gz');
    expect(err.message).toContain('truncated: header says 10x28x28 = 7840 bytes, file has 1234');
    expect(err.file).toBe(file);
  });

  it('rejects a truncated header', () => {
    expect(() => parseIdx(new Uint8Array([0, 0, 8]), 'x.idx')).toThrow(/x\.idx: truncated: 3 bytes/);
    const short = idxBytes([5, 2, 2], []).subarray(0, 10);
    expect(() => parseIdx(short, 'y.idx')).toThrow(/y\.idx: truncated: header of 3 dimensions needs 16 bytes, file has 10/);
  });

  it('rejects trailing bytes after the data', () => {
    const bytes = idxBytes([3], [1, 2, 3, 4, 5]);
    expect(() => parseIdx(bytes, 'labels.idx')).toThrow(/labels\.idx: 2 unexpected trailing bytes: header says 3 = 3 bytes, file has 5/);
  });

  it('rejects a bad magic number', async () => {
    const dir = tempDir();
    const bytes = idxBytes([3], LABELS);
    bytes.set([0x00, 0x00, 0x09, 0x99], 0);
    const file = writeFile(dir, 'weird-labels', bytes);
    const err = await dataError(readIdx(file));
    expect(err.message).toBe(
      `${file}: bad magic number 0x00000999 (expected 0x00000803 for ubyte images or 0x00000801 for labels)`,
    );
    // A PNG is not IDX either.
    expect(() => parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'a.png')).toThrow(/a\.png: bad magic number 0x89504e47/);
  });

  it('rejects an IDX data type other than unsigned byte', () => {
    const bytes = idxBytes([2], new Uint8Array(8), 0x0d);
    expect(() => parseIdx(bytes, 'floats.idx')).toThrow(
      'floats.idx: unsupported IDX data type 0x0d (float32); only 0x08 (unsigned byte) is supported',
    );
  });

  it('rejects a file with the wrong number of dimensions for its role', async () => {
    const dir = tempDir();
    const img = writeFile(dir, 'imgs', idxBytes(DIMS, PIXELS));
    const err = await dataError(readIdxImageSet(img, img));
    expect(err.message).toBe(`${img}: expected labels (1 dimension), but the header has 3 dimensions`);
  });

  it('rejects labels whose count differs from the images', async () => {
    const dir = tempDir();
    const img = writeFile(dir, 'imgs', idxBytes(DIMS, PIXELS));
    const lab = writeFile(dir, 'labs', idxBytes([2], [1, 2]));
    const err = await dataError(readIdxImageSet(img, lab));
    expect(err.message).toBe(`${lab}: has 2 labels but ${img} has 3 images`);
  });

  it('rejects labels out of range when the class count is known', async () => {
    const dir = tempDir();
    const img = writeFile(dir, 'imgs', idxBytes(DIMS, PIXELS));
    const lab = writeFile(dir, 'labs', idxBytes([3], [1, 12, 2]));
    const err = await dataError(readIdxImageSet(img, lab, { classes: 10 }));
    expect(err.message).toBe(`${lab}: label 12 at index 1 is out of range (expected 0..9)`);
  });

  it('reports a corrupt gzip stream as such', async () => {
    const dir = tempDir();
    const gz = gzipSync(idxBytes(DIMS, PIXELS));
    const file = join(dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(file, gz.subarray(0, gz.length - 12)); // cut inside the stream
    const err = await dataError(readIdx(file));
    expect(err.message).toMatch(/train-images-idx3-ubyte\.gz: not a valid gzip stream \(.+\)/);

    const garbled = Uint8Array.from(gz);
    garbled.fill(0xff, 10, 30);
    writeFileSync(file, garbled);
    const err2 = await dataError(readIdx(file));
    expect(err2.message).toContain(`${file}: not a valid gzip stream`);
  });

  it('reports a missing file', async () => {
    const file = join(tempDir(), 'train-labels-idx1-ubyte.gz');
    const err = await dataError(readIdx(file));
    expect(err.message).toBe(`${file}: file not found`);
  });
});
