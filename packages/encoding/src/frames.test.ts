import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEncoder } from './encoder.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

describe('frames encoding (event-camera clips)', () => {
  it('feeds frame t of an [N, H, W, C·T] frame-major clip at step t, counts as they are', () => {
    // N = 1, H = 1, W = 2, C = 2, T = 3: pixel 0 channels [f0c0, f0c1, f1c0, f1c1, f2c0, f2c1]
    const clip = tf.tensor4d([1, 0, 3, 2, 0, 5, 0, 1, 0, 0, 4, 0], [1, 1, 2, 6]);
    const enc = createEncoder({ kind: 'frames' }, { timesteps: 3 });
    expect(enc.stochastic).toBe(false);
    expect(enc.isAnalog(0)).toBe(false);
    const frame = (t: number) => {
      const f = enc.encode(clip, t);
      expect(f.shape).toEqual([1, 1, 2, 2]);
      const v = Array.from(f.dataSync());
      f.dispose();
      return v;
    };
    expect(frame(0)).toEqual([1, 0, 0, 1]);
    expect(frame(1)).toEqual([3, 2, 0, 0]);
    expect(frame(2)).toEqual([0, 5, 4, 0]);
    const all = enc.encodeAll(clip);
    expect(all.shape).toEqual([3, 1, 1, 2, 2]);
    all.dispose();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      enc.encode(clip, 2);
    });
    enc.encodeAll(clip).dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Fewer steps than frames: the first T frames.
    const two = createEncoder({ kind: 'frames' }, { timesteps: 2 }).encode(clip, 1);
    expect(Array.from(two.dataSync())).toEqual([3, 2, 0, 0]);
    two.dispose();
    clip.dispose();
  });

  it('names the mismatch when the clip has too few frames', () => {
    const clip = tf.zeros([1, 2, 2, 4]);
    expect(() => createEncoder({ kind: 'frames' }, { timesteps: 3 }).encode(clip, 0)).toThrow(
      "'frames' encoding: the images' last axis has 4 channels, which is not 3 timesteps × 2 channels per frame (or more frames)",
    );
    clip.dispose();
  });
});
