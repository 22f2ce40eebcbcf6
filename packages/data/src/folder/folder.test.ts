import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../test/fixtures.js';
import { compilePreprocess } from '../preprocess/pipeline.js';
import type { F32Image } from '../preprocess/image.js';
import { loadDataset } from '../registry.js';
import { diskCache } from './cache.js';
import { loadImageSet } from './materialise.js';
import { openImageDataset } from './open.js';
import { scanImageFolder } from './scan.js';
import { type ImageSource } from './source.js';
import { folderBatches } from './stream.js';

afterAll(removeTempDirs);

/** A PNG of the given size whose pixels are `value` (RGB), encoded by sharp. */
async function png(width: number, height: number, value: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3, value);
  return sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Writes `files` (relative path -> bytes or [w, h, value]) under a new folder. */
async function tree(files: Record<string, Buffer | string | [number, number, number]>): Promise<string> {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, Array.isArray(content) ? await png(...content) : content);
  }
  return dir;
}

const message = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('scanImageFolder', () => {
  it('sorts classes by code point as Python does, and walks class folders as sorted(os.walk(...))', async () => {
    // UTF-16 order would put U+1F600 (a surrogate pair, 0xD83D...) before U+FF5A.
    const dir = await tree({
      'b/1.png': [2, 2, 0], 'B/1.png': [2, 2, 0], 'a/1.png': [2, 2, 0], 'é/1.png': [2, 2, 0], '😀/1.png': [2, 2, 0], 'ｚ/1.png': [2, 2, 0],
      'cls/a.png': [2, 2, 0], 'cls/Z.PNG': [2, 2, 0], 'cls/notes.txt': 'not an image', 'cls/sub/b.jpg': [2, 2, 0],
      'cls/sub-2/c.webp': [2, 2, 0], 'cls/sub/deep/d.jpeg': [2, 2, 0], 'cls/old.bmp': 'BM',
    });
    const scan = await scanImageFolder(dir);
    expect(scan.classes).toEqual(['B', 'a', 'b', 'cls', 'é', 'ｚ', '😀']);
    const cls = scan.samples.filter((s) => s.label === 3).map((s) => s.file.slice(dir.length + 1));
    expect(cls).toEqual(['cls/Z.PNG', 'cls/a.png', 'cls/sub/b.jpg', 'cls/sub-2/c.webp', 'cls/sub/deep/d.jpeg']);
    expect(scan.unsupported).toEqual([join(dir, 'cls/old.bmp')]);
    expect(scan.samples.map((s) => s.label)).toEqual([0, 1, 2, 3, 3, 3, 3, 3, 4, 5, 6]);
  });

  it('names the folder when a class folder is empty, there are no class folders, or the folder is missing', async () => {
    const empty = await tree({ 'cat/1.png': [2, 2, 0], 'dog/readme.txt': 'x' });
    expect(await message(scanImageFolder(empty))).toBe(
      `${join(empty, 'dog')}: empty class folder: no .jpg, .jpeg, .png, .webp images in class 'dog' (every subfolder of ${empty} is a class; remove the folder or add images)`,
    );
    const flat = await tree({ '1.png': [2, 2, 0], '2.png': [2, 2, 0] });
    expect(await message(scanImageFolder(flat))).toBe(
      `${flat}: no class folders: expected the ImageFolder layout ${join(flat, '<class>', '<image>.jpg')} (found 2 images directly in the folder; put each class in its own subfolder)`,
    );
    expect(await message(scanImageFolder(join(flat, 'nope')))).toBe(`${join(flat, 'nope')}: folder not found`);
    expect(await message(loadDataset(`folder:${join(flat, 'nope')}`))).toBe(`${join(flat, 'nope')}: folder not found`);
    expect(await message(loadDataset('folder:'))).toBe('"folder:": give the folder after "folder:"');
  });
});

describe('reading images', () => {
  it('stops at a corrupt image by default, naming it; skips it with a warning on request', async () => {
    const dir = await tree({ 'a/1.png': [4, 4, 10], 'a/2.png': 'not a png at all', 'b/3.png': [4, 4, 20] });
    const bad = join(dir, 'a/2.png');
    const ds = await openImageDataset(`folder:${dir}`);
    expect(await message(loadImageSet(ds.test))).toMatch(
      new RegExp(`^${bad}: cannot decode image \\(.+\\); expected a JPEG, PNG or WebP file$`),
    );
    const warnings: string[] = [];
    const set = await loadImageSet(ds.test, { onError: 'skip', onWarning: (w) => warnings.push(w) });
    expect(set.count).toBe(2);
    expect(Array.from(set.labels)).toEqual([0, 1]);
    expect(set.skipped).toEqual([bad]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^skipped ${bad}: cannot decode image`));
    expect(set.images[0]).toBeCloseTo(10 / 255, 7);
    expect(set.images[set.images.length - 1]).toBeCloseTo(20 / 255, 7);
  });

  it('refuses a truncated file, as Pillow does', async () => {
    const jpeg = await sharp(Buffer.alloc(64 * 64 * 3, 99), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
    const dir = await tree({ 'a/cut.jpg': jpeg.subarray(0, Math.floor(jpeg.length / 2)) });
    const ds = await openImageDataset(`folder:${dir}`);
    expect(await message(loadImageSet(ds.test))).toMatch(new RegExp(`^${join(dir, 'a/cut.jpg')}: cannot decode image`));
  });

  it('refuses images of different sizes without a resize, naming both files; a resize makes them one size', async () => {
    const dir = await tree({ 'a/1.png': [6, 4, 0], 'a/2.png': [6, 4, 0], 'b/3.png': [5, 4, 0] });
    const ds = await openImageDataset(`folder:${dir}`);
    expect(await message(loadImageSet(ds.test, { concurrency: 1 }))).toBe(
      `${join(dir, 'b/3.png')}: image is 4x5x3 (HxWxC) after preprocessing but ${join(dir, 'a/1.png')} is 4x6x3: ` +
        'images of different sizes need a resize or crop step (e.g. --transform imagenet, or {"kind":"resize","size":[4,6]})',
    );
    const batches = folderBatches(ds.test, { batchSize: 3 });
    expect(await message(batches.next())).toMatch(/b\/3\.png: image is 4x5x3 \(HxWxC\) after preprocessing but .*a\/1\.png is 4x6x3/);
    const resized = await openImageDataset(`folder:${dir}`, { preprocess: { steps: [{ kind: 'resize', size: [3, 3] }, { kind: 'toTensor' }] } });
    const set = await loadImageSet(resized.test);
    expect([set.count, set.height, set.width, set.channels]).toEqual([3, 3, 3, 3]);
  });

  it('checks labels against the model classes: a count, or class names matched by name', async () => {
    const dir = await tree({ 'cat/1.png': [2, 2, 0], 'dog/2.png': [2, 2, 0], 'owl/3.png': [2, 2, 0] });
    expect(await message(openImageDataset(`folder:${dir}`, { classes: 2 }))).toBe(
      `${join(dir, 'owl')}: class 'owl' has label 2, outside the model's 2 classes (0..1); the data has 3 classes`,
    );
    const ds = await openImageDataset(`folder:${dir}`, { classes: ['owl', 'dog', 'cat', 'fox'] });
    expect(ds.classNames).toEqual(['owl', 'dog', 'cat', 'fox']);
    expect(ds.test.samples.map((s) => s.label)).toEqual([2, 1, 0]);
    expect(ds.test.classes).toBe(4);
    expect(await message(openImageDataset(`folder:${dir}`, { classes: ['cat', 'dog'] }))).toBe(
      `${join(dir, 'owl')}: class 'owl' is not one of the model's 2 classes (cat, dog)`,
    );
    const list = await tree({ 'l.csv': 'path,label\ncat/1.png,0\ndog/2.png,12\n' });
    expect(await message(openImageDataset(`list:${join(list, 'l.csv')}`, { classes: 10 }))).toBe(
      `${join(list, 'l.csv')}:3: label 12, outside the model's 10 classes (0..9)`,
    );
  });

  it('reads train/ and val/ splits with the training folder classes', async () => {
    const dir = await tree({
      'train/a/1.png': [2, 2, 1], 'train/b/2.png': [2, 2, 2], 'train/c/3.png': [2, 2, 3], 'val/c/4.png': [2, 2, 4], 'test/a/5.png': [2, 2, 5],
    });
    const ds = await openImageDataset(`folder:${dir}`);
    expect(ds.sameImages).toBe(false);
    expect(ds.test.samples).toEqual([{ file: join(dir, 'val/c/4.png'), label: 2 }]); // val is preferred over test
    expect(ds.test.classes).toBe(3);
    const extra = await tree({ 'train/a/1.png': [2, 2, 1], 'test/z/2.png': [2, 2, 2] });
    expect(await message(openImageDataset(`folder:${extra}`))).toBe(
      `${join(extra, 'test/z')}: class 'z' has no folder in ${join(extra, 'train')}`,
    );
  });

  it('keeps a bounded, seeded pick of a large folder, with progress, and refuses one past maxBytes', async () => {
    const files: Record<string, [number, number, number]> = {};
    for (let i = 0; i < 30; i++) files[`c${i % 3}/${String(i).padStart(2, '0')}.png`] = [3, 2, i];
    const dir = await tree(files);
    const ds = await openImageDataset(`folder:${dir}`);
    const progress: number[] = [];
    const set = await loadImageSet(ds.test, { limit: 9, seed: 5, onProgress: (p) => progress.push(p.done * 100 + p.total) });
    expect(set.count).toBe(9);
    expect(progress).toEqual(Array.from({ length: 9 }, (_, i) => (i + 1) * 100 + 9));
    expect(new Set(set.labels).size).toBeGreaterThan(1); // not all from the first class
    expect([...set.indices]).toEqual([...set.indices].sort((a, b) => a - b)); // kept in folder order
    expect(await loadImageSet(ds.test, { limit: 9, seed: 5 })).toEqual(set);
    const first = await loadImageSet(ds.test, { limit: 4, pick: 'first' });
    expect([...first.indices]).toEqual([0, 1, 2, 3]);
    expect(await message(loadImageSet(ds.test, { maxBytes: 1000 }))).toBe(
      `${dir}: 30 images of 2x3x3 need 0.00 GiB as float32, more than maxBytes 0.00 GiB: load fewer (limit) or stream them in batches (folderBatches)`,
    );
    // Through the registry: one read serves train and test (no split); the smaller pick is part of the larger.
    const both = await loadDataset(`folder:${dir}`, { limitTrain: 12, limitTest: 5 });
    expect([both.train.count, both.test.count]).toEqual([12, 5]);
    const trainIdx = new Set((both.train as unknown as { indices: Int32Array }).indices);
    for (const i of (both.test as unknown as { indices: Int32Array }).indices) expect(trainIdx.has(i)).toBe(true);
  });
});

describe('list files', () => {
  it('reads path,label lines with names, quotes, a header and a split column', async () => {
    const dir = await tree({
      'img/a 1.png': [2, 2, 1], 'img/b,2.png': [2, 2, 2], 'img/c.png': [2, 2, 3],
      'list.csv': 'path,label,split\n# a comment\n"img/a 1.png",zebra,train\n"img/b,2.png",ant,val\n\nimg/c.png,zebra,test\n',
      'plain.txt': 'img/a 1.png 1\nimg/c.png 0\n',
    });
    const ds = await openImageDataset(`list:${join(dir, 'list.csv')}`);
    expect(ds.format).toBe('list');
    expect(ds.classNames).toEqual(['ant', 'zebra']);
    expect(ds.train.samples).toEqual([{ file: join(dir, 'img/a 1.png'), label: 1 }]);
    expect(ds.test.samples).toEqual([{ file: join(dir, 'img/b,2.png'), label: 0 }, { file: join(dir, 'img/c.png'), label: 1 }]);
    const plain = await loadDataset(`list:${join(dir, 'plain.txt')}`);
    expect(Array.from(plain.test.labels)).toEqual([1, 0]);
    expect(plain.test.classes).toBe(2);
    expect(plain.test.images[0]).toBeCloseTo(1 / 255, 7);
  });

  it('names the file and line of a bad entry, and a missing image when read', async () => {
    const dir = await tree({ 'bad.csv': 'a.png,1\njust-a-path\n', 'split.csv': 'a.png,1,holdout\n', 'gone.csv': 'missing.png,0\n' });
    expect(await message(openImageDataset(`list:${join(dir, 'bad.csv')}`))).toBe(
      `${join(dir, 'bad.csv')}:2: expected "path,label" or "path,label,split", got "just-a-path"`,
    );
    expect(await message(openImageDataset(`list:${join(dir, 'split.csv')}`))).toBe(
      `${join(dir, 'split.csv')}:1: split must be one of train, val, test, got "holdout"`,
    );
    expect(await message(loadDataset(`list:${join(dir, 'gone.csv')}`))).toBe(`${join(dir, 'missing.png')}: file not found`);
    expect(await message(loadDataset(`list:${join(dir, 'none.csv')}`))).toBe(`${join(dir, 'none.csv')}: list file not found`);
  });
});

describe('cache', () => {
  it('serves the deterministic head of the preprocessing from disk, keyed by file size and time', async () => {
    const dir = await tree({ 'a/1.png': [8, 6, 50] });
    const file = join(dir, 'a/1.png');
    const cacheDir = tempDir();
    const ds = await openImageDataset(`folder:${dir}`, { cacheDir, preprocess: { steps: [{ kind: 'resize', size: 4 }, { kind: 'toTensor' }] } });
    const first = await ds.test.read(0);
    const entries = readdirSync(cacheDir, { recursive: true }).filter((f) => String(f).endsWith('.bin'));
    expect(entries).toHaveLength(1);
    // Overwrite the cached pixels: a hit returns them, proving the file was not decoded again.
    const entry = join(cacheDir, String(entries[0]));
    const bytes = readFileSync(entry);
    bytes.fill(0, 20);
    writeFileSync(entry, bytes);
    expect((await ds.test.read(0)).data.every((v) => v === 0)).toBe(true);
    // A newer file misses and reads the image again.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect((await ds.test.read(0)).data).toEqual(first.data);
    // Training: only the steps before the first random one are cached (here none: the decoded image).
    const train = await openImageDataset(`folder:${dir}`, {
      cacheDir,
      preprocess: { steps: [{ kind: 'randomHorizontalFlip' }, { kind: 'toTensor' }] },
    });
    expect(train.train.preprocess.prefixLength).toBe(0);
    await train.train.read(0, (await import('@spikelite/engine')).createRng(1));
    expect(readdirSync(cacheDir, { recursive: true }).filter((f) => String(f).endsWith('.bin'))).toHaveLength(3);
    expect(await diskCache(cacheDir).get('0'.repeat(64))).toBeUndefined();
  });
});

describe('folderBatches', () => {
  /** A fake source of `count` 1x1 images whose value is their index; counts reads. */
  function fakeSource(count: number, random = false): ImageSource & { reads: number } {
    const pre = compilePreprocess(random ? { steps: [{ kind: 'randomHorizontalFlip' }, { kind: 'toTensor' }] } : 'tensor');
    const src = {
      root: '/fake',
      samples: Array.from({ length: count }, (_, i) => ({ file: `/fake/${i}.png`, label: i % 3 })),
      count,
      classes: 3,
      classNames: undefined,
      preprocess: pre,
      reads: 0,
      async read(i: number): Promise<F32Image> {
        src.reads++;
        return { data: Float32Array.of(i, i, i), width: 1, height: 1, channels: 3 };
      },
    };
    return src;
  }

  it('reads one batch ahead, never the whole source', async () => {
    const src = fakeSource(1000);
    const it = folderBatches(src, { batchSize: 10, shuffle: 1 });
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(src.reads).toBeLessThanOrEqual(20);
    let n = 1;
    for await (const b of it) {
      expect(b.size).toBe(10);
      expect(Array.from(b.images.filter((_, k) => k % 3 === 0))).toEqual(Array.from(b.indices));
      n++;
      if (n === 5) break;
    }
    expect(src.reads).toBeLessThanOrEqual(60);
  });

  it('draws random steps per (seed, epoch, image), whatever the batch size or concurrency', async () => {
    const dir = await tree({ 'a/1.png': await sharp(Buffer.from([0, 0, 0, 255, 255, 255]), { raw: { width: 2, height: 1, channels: 3 } }).png().toBuffer() });
    const files: Record<string, Buffer> = {};
    const one = readFileSync(join(dir, 'a/1.png'));
    for (let i = 0; i < 40; i++) files[`a/${i}.png`] = one;
    const many = await tree(files);
    const ds = await openImageDataset(`folder:${many}`, { preprocess: { steps: [{ kind: 'randomHorizontalFlip' }, { kind: 'toTensor' }] } });
    const flips = async (batchSize: number, concurrency: number, epoch: number): Promise<number[]> => {
      const out: number[] = [];
      for await (const b of folderBatches(ds.train, { batchSize, concurrency, epoch, augmentSeed: 3 })) {
        for (let k = 0; k < b.size; k++) out.push(b.images[k * 6]!); // first pixel: 0 unflipped, 1 flipped
      }
      return out;
    };
    const a = await flips(7, 1, 0);
    expect(await flips(16, 8, 0)).toEqual(a);
    expect(new Set(a)).toEqual(new Set([0, 1]));
    expect(await flips(7, 1, 1)).not.toEqual(a);
  });
});
