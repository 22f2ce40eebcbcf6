import { describe, expect, it } from 'vitest';
import { createRng, rngFromState } from '@spikelite/engine';
import { batchAt, batchCount, batches, epochOrder, subset, takeFirst, type Batch } from './batches.js';
import { DataError } from './errors.js';
import type { ImageSet } from './types.js';

/** n images of 2x1x2 whose every float encodes (image, position): image i holds i + k/10. */
function makeSet(n: number): ImageSet {
  const size = 4;
  const images = Float32Array.from({ length: n * size }, (_, j) => Math.floor(j / size) + (j % size) / 10);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 7);
  return { images, labels, count: n, height: 2, width: 1, channels: 2, classes: 7 };
}

const ids = (bs: readonly Batch[]): number[] => bs.flatMap((b) => Array.from(b.indices));

describe('epochOrder and batching', () => {
  const set = makeSet(23);

  it('visits every index exactly once per epoch, shuffled', () => {
    const order = epochOrder(23, createRng(1));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(Array.from(order)).not.toEqual(Array.from({ length: 23 }, (_, i) => i));
    const all = ids([...batches(set, { batchSize: 5, shuffle: 1 })]);
    expect(all.length).toBe(23);
    expect(new Set(all).size).toBe(23);
  });

  it('keeps the set order when not shuffling', () => {
    expect(ids([...batches(set, { batchSize: 10 })])).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('gives the same order for the same seed and different orders for different seeds', () => {
    const a = ids([...batches(set, { batchSize: 4, shuffle: 42 })]);
    const b = ids([...batches(set, { batchSize: 4, shuffle: createRng(42) })]);
    const c = ids([...batches(set, { batchSize: 4, shuffle: 43 })]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('advances a shared rng so successive epochs differ', () => {
    const rng = createRng(7);
    const e1 = ids([...batches(set, { batchSize: 8, shuffle: rng })]);
    const e2 = ids([...batches(set, { batchSize: 8, shuffle: rng })]);
    expect(e1).not.toEqual(e2);
    expect(new Set(e2).size).toBe(23);
  });

  it('copies the right images and labels into each batch', () => {
    const order = epochOrder(23, createRng(3));
    const b = batchAt(set, order, 1, 5);
    expect(b.size).toBe(5);
    expect(b.batchIndex).toBe(1);
    expect(Array.from(b.indices)).toEqual(Array.from(order.subarray(5, 10)));
    b.indices.forEach((i, k) => {
      expect(b.labels[k]).toBe(i % 7);
      expect(Array.from(b.images.subarray(k * 4, k * 4 + 4))).toEqual([0, 1, 2, 3].map((p) => Math.fround(i + p / 10)));
    });
    expect(b).toMatchObject({ height: 2, width: 1, channels: 2 });
  });

  it('resumes mid-epoch from a saved RngState with the same remaining batches', () => {
    const rng = createRng(2024);
    rng.next(); // some earlier use of the generator
    const saved = rng.state();
    const full = [...batches(set, { batchSize: 4, shuffle: rng })];
    const stateAfter = rng.state();

    // A restarted process: only the saved state and the batch index survive (as JSON).
    const restored = rngFromState(JSON.parse(JSON.stringify(saved)) as typeof saved);
    const resumed = [...batches(set, { batchSize: 4, shuffle: restored, startBatch: 3 })];
    expect(resumed.map((b) => b.batchIndex)).toEqual([3, 4, 5]);
    expect(ids(resumed)).toEqual(ids(full.slice(3)));
    expect(resumed.map((b) => Array.from(b.images))).toEqual(full.slice(3).map((b) => Array.from(b.images)));
    // ... and the rng ends where the uninterrupted run's did, so later epochs match too.
    expect(restored.state()).toEqual(stateAfter);

    // The same through the low-level functions the trainer can call.
    const order = epochOrder(set.count, rngFromState(saved));
    expect(Array.from(batchAt(set, order, 4, 4).indices)).toEqual(Array.from(full[4]!.indices));
  });

  it('keeps or drops a final partial batch', () => {
    const kept = [...batches(set, { batchSize: 5 })];
    expect(kept.map((b) => b.size)).toEqual([5, 5, 5, 5, 3]);
    const dropped = [...batches(set, { batchSize: 5, dropLast: true })];
    expect(dropped.map((b) => b.size)).toEqual([5, 5, 5, 5]);
    expect(batchCount(23, 5)).toBe(5);
    expect(batchCount(23, 5, true)).toBe(4);
    expect(batchCount(20, 5, true)).toBe(4);
    expect([...batches(set, { batchSize: 30, dropLast: true })]).toHaveLength(0);
  });

  it('rejects bad batch sizes and out-of-range batch indices', () => {
    expect(() => batches(set, { batchSize: 0 })).toThrow(DataError);
    expect(() => batchCount(10, 2.5)).toThrow('batchSize must be an integer >= 1, got 2.5');
    expect(() => batchAt(set, epochOrder(23), 5, 5)).toThrow('batch 5 is out of range: 23 items in batches of 5 make 5');
    expect(() => batches(set, { batchSize: 4, startBatch: -1 })).toThrow(/startBatch/);
  });
});

describe('subset and takeFirst', () => {
  const set = makeSet(6);

  it('subset copies the chosen images in the given order', () => {
    const s = subset(set, [4, 1, 4]);
    expect(s.count).toBe(3);
    expect(Array.from(s.labels)).toEqual([4, 1, 4]);
    expect(s.images[4]).toBe(1);
    expect(s.images[9]).toBe(Math.fround(4.1));
    expect(() => subset(set, [6])).toThrow('index 6 is out of range for a set of 6 images');
  });

  it('takeFirst keeps the first n and copies', () => {
    const s = takeFirst(set, 2);
    expect(s.count).toBe(2);
    expect(s.images.length).toBe(8);
    expect(Array.from(s.labels)).toEqual([0, 1]);
    s.images[0] = 99;
    expect(set.images[0]).toBe(0);
    expect(takeFirst(set, 100).count).toBe(6);
  });

  it("subset and takeFirst keep only ImageSet fields (a folder set's file list would go stale)", () => {
    const withFiles = { ...set, files: ['a', 'b', 'c', 'd', 'e', 'f'] };
    expect(Object.keys(subset(withFiles, [2, 0])).sort()).toEqual(['channels', 'classes', 'count', 'height', 'images', 'labels', 'width']);
    expect('files' in takeFirst(withFiles, 2)).toBe(false);
  });
});
