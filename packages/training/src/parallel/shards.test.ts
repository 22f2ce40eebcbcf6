import { describe, expect, it } from 'vitest';
import { reduceShards, shardSizes, weightedMean } from './shards.js';

describe('data-parallel shards', () => {
  it('cuts a batch into contiguous shards, the first ones taking the remainder, never an empty one', () => {
    expect(shardSizes(32, 2)).toEqual([16, 16]);
    expect(shardSizes(33, 2)).toEqual([17, 16]);
    expect(shardSizes(10, 3)).toEqual([4, 3, 3]);
    expect(shardSizes(2, 4)).toEqual([1, 1]);
    expect(shardSizes(7, 1)).toEqual([7]);
    expect(() => shardSizes(0, 2)).toThrow(/batch size/);
    expect(() => shardSizes(4, 0)).toThrow(/threads/);
  });

  it('reduces shard gradients of a batch-mean loss to the batch gradient (hand-worked)', () => {
    // Shard means g0 = mean of 3 examples, g1 = mean of 1: the batch mean is (3·g0 + 1·g1)/4.
    const g = reduceShards([Float32Array.from([1, 2]), Float32Array.from([5, -2])], [3, 1]);
    expect(Array.from(g)).toEqual([2, 1]);
    const three = reduceShards([Float32Array.from([3]), Float32Array.from([6]), Float32Array.from([9])], [1, 1, 1]);
    expect(Array.from(three)).toEqual([6]);
    expect(weightedMean([1, 3], [1, 3])).toBe(2.5);
    expect(() => reduceShards([Float32Array.from([1])], [1, 1])).toThrow(/2 shards/);
  });
});
