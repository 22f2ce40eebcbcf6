import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import type { EncodingSpecInput } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEncoder } from './encoder.js';
import { encodingRegistry } from './registry.js';

const SPECS: EncodingSpecInput[] = [
  { kind: 'direct' },
  { kind: 'rate' },
  { kind: 'rate', distribution: 'poisson', signed: true },
  { kind: 'temporal' },
  { kind: 'hybrid' },
];

const images = (): tf.Tensor =>
  tf.tensor4d(Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => ((i * 37) % 101) / 100), [2, 4, 4, 3]);

describe.each(['cpu', 'wasm'] as const)('encoders on %s', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend });
  });

  it('direct passes the image (normalised or not) at every step, as analog', () => {
    const x = images();
    const enc = createEncoder({ kind: 'direct' }, { timesteps: 3 });
    const all = enc.encodeAll(x);
    expect(all.shape).toEqual([3, 2, 4, 4, 3]);
    const xs = x.dataSync();
    const a = all.dataSync();
    for (let t = 0; t < 3; t++) for (let i = 0; i < xs.length; i++) expect(a[t * xs.length + i]).toBe(xs[i]);
    // already-normalised input passes through unchecked
    const neg = tf.sub(x, 0.5);
    expect(Array.from(enc.encode(neg, 1).dataSync())).toEqual(Array.from(neg.dataSync()));
    const norm = createEncoder({ kind: 'direct' }, { timesteps: 3, normalization: { mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2] } });
    const n = norm.encode(x, 2).dataSync();
    expect(n[0]).toBeCloseTo((xs[0]! - 0.1) / 0.5, 5);
    expect(n[1]).toBeCloseTo((xs[1]! - 0.2) / 0.25, 5);
    expect(n[5]).toBeCloseTo((xs[5]! - 0.3) / 2, 5);
    tf.dispose([x, all, neg]);
  });

  it('isAnalog: direct always, rate and temporal never, hybrid for the first analogSteps', () => {
    const T = 4;
    const analog = (spec: EncodingSpecInput): boolean[] => {
      const enc = createEncoder(spec, { timesteps: T, rng: createRng(0) });
      return Array.from({ length: T }, (_, t) => enc.isAnalog(t));
    };
    expect(analog({ kind: 'direct' })).toEqual([true, true, true, true]);
    expect(analog({ kind: 'rate' })).toEqual([false, false, false, false]);
    expect(analog({ kind: 'temporal' })).toEqual([false, false, false, false]);
    expect(analog({ kind: 'hybrid' })).toEqual([true, false, false, false]);
    expect(analog({ kind: 'hybrid', analogSteps: 3, temporal: { tMin: 3 } })).toEqual([true, true, true, false]);
  });

  it('every kind is in the registry and gives [T, ...shape] float32 without leaking tensors', () => {
    expect(Object.keys(encodingRegistry).sort()).toEqual(['direct', 'frames', 'hybrid', 'rate', 'temporal']); // frames: frames.test.ts
    const x = images();
    for (const spec of SPECS) {
      const enc = createEncoder(spec, { timesteps: 3, rng: createRng(1) });
      enc.beginBatch();
      enc.encodeAll(x).dispose(); // warm-up
      const before = tf.memory().numTensors;
      for (let b = 0; b < 3; b++) {
        enc.beginBatch();
        const all = enc.encodeAll(x);
        expect(all.shape).toEqual([3, 2, 4, 4, 3]);
        expect(all.dtype).toBe('float32');
        all.dispose();
        tf.tidy(() => {
          enc.encode(x, 2); // released by tidy
        });
      }
      expect(tf.memory().numTensors).toBe(before);
    }
    x.dispose();
  });

  it('rate spikes are identical across backends for the same batch seed', () => {
    const x = images();
    const enc = createEncoder({ kind: 'rate', signed: true }, { timesteps: 3, rng: createRng(1) });
    enc.beginBatch(12345);
    const all = enc.encodeAll(x);
    // The spikes come from the seeded JS stream, so every backend gives the same ones: the
    // pattern stored below (recorded on cpu; + is 1, - is −1, . is 0), value by value.
    const data = all.dataSync();
    expect(Array.from(data, (v) => (v === 1 ? '+' : v === -1 ? '-' : v === 0 ? '.' : '?')).join('')).toBe(RATE_SIGNED_PATTERN);
    expect(data.some((v) => v === 1) && data.some((v) => v === -1)).toBe(true);
    tf.dispose([x, all]);
  });

  it('errors name the problem', () => {
    const x = images();
    expect(() => createEncoder({ kind: 'rate' }, { timesteps: 3 })).toThrow(/stochastic: pass an Rng/);
    const rate = createEncoder({ kind: 'rate' }, { timesteps: 3, rng: createRng(0) });
    expect(() => rate.encode(x, 0)).toThrow(/call beginBatch\(\)/);
    rate.beginBatch();
    expect(() => rate.encode(x, 3)).toThrow(/timestep must be an integer in \[0, 2\], got 3/);
    expect(() => rate.isAnalog(-1)).toThrow(/timestep/);
    expect(() => createEncoder({ kind: 'direct' }, { timesteps: 0 })).toThrow(/timesteps must be a positive integer/);
    expect(() => createEncoder({ kind: 'rate', gain: -1 } as EncodingSpecInput, { timesteps: 2, rng: createRng(0) })).toThrow(/encoding: gain/);
    const norm = createEncoder({ kind: 'direct' }, { timesteps: 2, normalization: { mean: [0.5], std: [0.5] } });
    expect(() => norm.encode(x, 0)).toThrow(/normalization has 1 channels, the images' last axis has 3/);
    expect(() => createEncoder({ kind: 'direct' }, { timesteps: 2, normalization: { mean: [0], std: [0] } })).toThrow(/std\[0\]/);
    x.dispose();
  });
});

/** Signed `rate` spikes of `images()` at T = 3, batch seed 12345, in encodeAll's [T, N, H, W, C] order. */
const RATE_SIGNED_PATTERN =
  '-..-.+.++..--+-..-.+.+--...+-.+.+.....+..-.+-.+..+.+-.+-..-.+..-.+-....-.+..+..+.+--.-.+-.+-.-.+-..-.+..+-+...-.+..+-.-.+-.+..+.+-.+-.+-+-....+.' +
  '....--.-.+.++.+-.+-.+-.--+-.+-.+..-..-.+-.+.+-..-....+-.+..--+..+.++-.-..-.+-++.+-.+-++.+-.+-.+-.+-.-.+...-++....+-.+..-.+..+-.+....+-..-.+.....';
