import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { TemporalFields } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEncoder } from './encoder.js';
import { NEVER, temporalSpikeTimes } from './temporal.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

/** Encode `xs` as one image [1, 1, n, 1] over T steps; per pixel the steps it fired at. */
function firings(xs: number[], T: number, fields: Record<string, unknown> = {}): number[][] {
  const enc = createEncoder({ kind: 'temporal', ...fields }, { timesteps: T });
  const x = tf.tensor4d(xs, [1, 1, xs.length, 1]);
  const all = enc.encodeAll(x); // [T, 1, 1, n, 1]
  const data = all.dataSync();
  const out = xs.map(() => [] as number[]);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < xs.length; i++) {
      const v = data[t * xs.length + i]!;
      expect([0, 1]).toContain(v);
      if (v === 1) out[i]!.push(t);
    }
  }
  tf.dispose([x, all]);
  return out;
}

describe('temporal (time-to-first-spike) encoding', () => {
  it('hand-worked spike times at T = 5, tMin = 1 (t = 1 + floor((1 − x)·4))', () => {
    //            x:  1    0.75 0.6  0.5  0.3  0.2  0.01 0
    const expected = [[1], [2], [2], [3], [3], [4], [4], []];
    expect(firings([1, 0.75, 0.6, 0.5, 0.3, 0.2, 0.01, 0], 5)).toEqual(expected);
  });

  it('hand-worked at T = 5, tMin = 0 and with a threshold', () => {
    // tMin 0: t = floor((1 − x)·5): 1 → 0, 0.5 → 2, 0.1 → 4, 0 → 5 = never
    expect(firings([1, 0.5, 0.1, 0], 5, { tMin: 0 })).toEqual([[0], [2], [4], []]);
    // threshold 0.25: x ≤ 0.25 never fires; 0.3 → 1 + floor(2.8) = 3
    expect(firings([0.2, 0.25, 0.3], 5, { threshold: 0.25 })).toEqual([[], [], [3]]);
  });

  it('each pixel fires at most once, brighter never later, zeros never', () => {
    const rng = createRng(4);
    const xs = Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? 0 : rng.next()));
    const T = 8;
    const f = firings(xs, T);
    const time = f.map((ts) => {
      expect(ts.length).toBeLessThanOrEqual(1);
      return ts[0] ?? Infinity;
    });
    xs.forEach((x, i) => {
      if (x === 0) expect(time[i]).toBe(Infinity);
      else expect(time[i]).toBeLessThan(T); // any x > 0 fires within T
    });
    const order = xs.map((_, i) => i).sort((a, b) => xs[b]! - xs[a]!);
    for (let k = 1; k < order.length; k++) expect(time[order[k - 1]!]!).toBeLessThanOrEqual(time[order[k]!]!);
    // not all the same time: the code carries information
    expect(new Set(time).size).toBeGreaterThan(T - 2);
  });

  it('temporalSpikeTimes marks never-firing elements with NEVER, and tMin ≥ T silences everything', () => {
    const fields = TemporalFields.parse({});
    expect(Array.from(temporalSpikeTimes([1, 0], fields, 5))).toEqual([1, NEVER]);
    expect(Array.from(temporalSpikeTimes([1, 0.5], TemporalFields.parse({ tMin: 5 }), 5))).toEqual([NEVER, NEVER]);
  });

  it('is deterministic, needs no Rng, and rejects normalised (out of [0, 1]) input', () => {
    const enc = createEncoder({ kind: 'temporal' }, { timesteps: 4 });
    expect(enc.stochastic).toBe(false);
    enc.beginBatch(); // no-op
    expect(enc.batchSeed).toBeNull();
    const bad = tf.tensor4d([-0.4, 0.5], [1, 1, 2, 1]);
    expect(() => enc.encode(bad, 1)).toThrow(/raw intensities in \[0, 1\].*-0\.4/);
    bad.dispose();
  });
});
