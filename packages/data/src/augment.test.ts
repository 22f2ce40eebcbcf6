import { describe, expect, it } from 'vitest';
import { createRng } from '@spikelite/engine';
import { augmentBatch, randomCropFlip } from './augment.js';
import { batchAt, epochOrder } from './batches.js';
import type { ImageSet } from './types.js';

const H = 5;
const W = 6;
const C = 2;
const N = 40;
// Value encodes (image, y, x, channel) uniquely and is never the pad value -1.
const value = (n: number, y: number, x: number, c: number): number => n * 1000 + y * 100 + x * 10 + c;
const images = new Float32Array(N * H * W * C);
for (let n = 0; n < N; n++)
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) images[((n * H + y) * W + x) * C + c] = value(n, y, x, c);
const shape = { count: N, height: H, width: W, channels: C };
const at = (a: Float32Array, n: number, y: number, x: number, c: number): number => a[((n * H + y) * W + x) * C + c]!;

/** The (dy, dx, mirrored) that explains output image n, or undefined. */
function explain(out: Float32Array, n: number, p: number, pad: number): [number, number, boolean] | undefined {
  for (const mirror of [false, true])
    for (let dy = -p; dy <= p; dy++)
      for (let dx = -p; dx <= p; dx++) {
        let ok = true;
        for (let y = 0; y < H && ok; y++)
          for (let x = 0; x < W && ok; x++)
            for (let c = 0; c < C && ok; c++) {
              const ys = y + dy;
              const xs = (mirror ? W - 1 - x : x) + dx;
              const want = ys < 0 || ys >= H || xs < 0 || xs >= W ? pad : value(n, ys, xs, c);
              ok = at(out, n, y, x, c) === want;
            }
        if (ok) return [dy, dx, mirror];
      }
  return undefined;
}

describe('augmentation', () => {
  it('each image is a padded shift (within the padding) and maybe a mirror of its source', () => {
    const out = randomCropFlip(images, shape, createRng(5), { padding: 2, padValue: -1 });
    const seen = new Set<string>();
    for (let n = 0; n < N; n++) {
      const e = explain(out, n, 2, -1);
      expect(e).toBeDefined();
      seen.add(String(e![2]));
    }
    expect(seen).toEqual(new Set(['true', 'false'])); // both flips occur over 40 images
    expect(Array.from(out)).not.toEqual(Array.from(images));
  });

  it('is reproducible from the seed and does not modify its input', () => {
    const copy = Float32Array.from(images);
    const a = randomCropFlip(images, shape, createRng(9));
    const b = randomCropFlip(images, shape, createRng(9));
    const c = randomCropFlip(images, shape, createRng(10));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(images).toEqual(copy);
  });

  it('with padding 0 and no flip returns the images unchanged; per-channel pad values apply', () => {
    expect(Array.from(randomCropFlip(images, shape, createRng(1), { padding: 0, flip: false }))).toEqual(Array.from(images));
    const out = randomCropFlip(images, shape, createRng(4), { padding: 3, flip: false, padValue: [-1, -2] });
    // Some pixel must be padding; its channels carry their own pad values.
    let found = false;
    for (let i = 0; i < out.length; i += C) {
      if (out[i] === -1) {
        expect(out[i + 1]).toBe(-2);
        found = true;
      }
    }
    expect(found).toBe(true);
    expect(() => randomCropFlip(images, shape, createRng(1), { padValue: [0, 0, 0] })).toThrow('padValue has 3 values');
  });

  it('augmentBatch keeps labels and indices', () => {
    const set: ImageSet = { images, labels: Int32Array.from({ length: N }, (_, i) => i % 3), count: N, height: H, width: W, channels: C, classes: 3 };
    const b = batchAt(set, epochOrder(N, createRng(1)), 0, 8);
    const a = augmentBatch(b, createRng(2), { padding: 1 });
    expect(a.labels).toBe(b.labels);
    expect(a.indices).toBe(b.indices);
    expect(a.images.length).toBe(b.images.length);
    expect(Array.from(a.images)).not.toEqual(Array.from(b.images));
  });
});
