import * as tf from '@tensorflow/tfjs-core';
import { createRng, rngFromState } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@spikelite/engine';
import { createEncoder } from './encoder.js';
import { rateProbabilities } from './rate.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu' });
});

// 21 intensities 0, 0.05, …, 1 as one image [1, 1, 21, 1].
const INTENSITIES = Array.from({ length: 21 }, (_, i) => i / 20);
const image = (): tf.Tensor => tf.tensor4d(INTENSITIES, [1, 1, INTENSITIES.length, 1]);

/** Sum of `encode` over T steps per element, and the set of distinct values seen. */
function countSpikes(spec: Parameters<typeof createEncoder>[0], T: number, seed: number): { counts: number[]; seen: Set<number> } {
  const enc = createEncoder(spec, { timesteps: T, rng: createRng(seed) });
  enc.beginBatch();
  const x = image();
  const counts = new Array<number>(INTENSITIES.length).fill(0);
  const seen = new Set<number>();
  for (let t = 0; t < T; t++) {
    const s = enc.encode(x, t);
    s.dataSync().forEach((v, i) => {
      counts[i]! += v;
      seen.add(v);
    });
    s.dispose();
  }
  x.dispose();
  return { counts, seen };
}

/** |count − T·p| ≤ 4σ of the binomial; exact for p ∈ {0, 1}. */
function expectBinomial(count: number, T: number, p: number): void {
  const sd = Math.sqrt(T * p * (1 - p));
  expect(Math.abs(count - T * p)).toBeLessThanOrEqual(4 * sd + 1e-9);
}

describe('rate encoding statistics', () => {
  const T = 2000;

  it('bernoulli: spike rate per pixel matches clip(gain·x, 0, 1) within 4σ', () => {
    const gain = 1.5;
    const { counts, seen } = countSpikes({ kind: 'rate', distribution: 'bernoulli', gain }, T, 7);
    expect([...seen].sort()).toEqual([0, 1]);
    INTENSITIES.forEach((x, i) => expectBinomial(counts[i]!, T, Math.min(1, gain * x)));
    expect(counts[0]).toBe(0); // x = 0 never fires
    expect(counts[20]).toBe(T); // p = 1 always fires
  });

  it('poisson: spike rate matches 1 − exp(−gain·x) within 4σ (and differs from bernoulli)', () => {
    const gain = 2;
    const { counts } = countSpikes({ kind: 'rate', distribution: 'poisson', gain }, T, 8);
    INTENSITIES.forEach((x, i) => expectBinomial(counts[i]!, T, 1 - Math.exp(-gain * x)));
    // at x = 0.5, bernoulli would give p = 1, poisson 1 − e^−1 ≈ 0.632
    expect(counts[10]! / T).toBeLessThan(0.7);
  });

  it('signed (ICLR): spikes are sign(2x − 1) with probability |2x − 1|', () => {
    const enc = createEncoder({ kind: 'rate', signed: true }, { timesteps: T, rng: createRng(9) });
    enc.beginBatch();
    const x = image();
    const pos = new Array<number>(21).fill(0);
    const neg = new Array<number>(21).fill(0);
    for (let t = 0; t < T; t++) {
      const s = enc.encode(x, t);
      s.dataSync().forEach((v, i) => {
        if (v === 1) pos[i]! += 1;
        else if (v === -1) neg[i]! += 1;
        else expect(v).toBe(0);
      });
      s.dispose();
    }
    x.dispose();
    INTENSITIES.forEach((xi, i) => {
      const s = 2 * xi - 1;
      if (s > 0) expect(neg[i]).toBe(0);
      if (s < 0) expect(pos[i]).toBe(0);
      expectBinomial(pos[i]! + neg[i]!, T, Math.abs(s));
    });
    expect(neg[0]).toBe(T); // x = 0 → x' = −1: −1 every step
    expect(pos[10]! + neg[10]!).toBe(0); // x = 0.5 → x' = 0: silent
  });

  it('rateProbabilities follows the three formulas', () => {
    const xs = [0, 0.25, 0.9];
    expect(Array.from(rateProbabilities(xs, { distribution: 'bernoulli', signed: false, gain: 2 }).p)).toEqual([0, 0.5, 1]);
    const poisson = rateProbabilities(xs, { distribution: 'poisson', signed: false, gain: 1 }).p;
    xs.forEach((x, i) => expect(poisson[i]).toBeCloseTo(1 - Math.exp(-x), 12));
    const signed = rateProbabilities(xs, { distribution: 'bernoulli', signed: true, gain: 1 });
    expect(Array.from(signed.p)).toEqual([1, 0.5, expect.closeTo(0.8, 6)]);
    expect(Array.from(signed.sign)).toEqual([-1, -1, 1]);
  });
});

describe('rate encoding reproducibility', () => {
  const spec = { kind: 'rate' } as const;
  const T = 4;
  const images = (): tf.Tensor => tf.tensor4d(Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => (i % 7) / 7 + 0.05), [2, 3, 3, 2]);

  function stream(rng: ReturnType<typeof createRng>, batches: number): number[][] {
    const enc = createEncoder(spec, { timesteps: T, rng });
    const x = images();
    const out: number[][] = [];
    for (let b = 0; b < batches; b++) {
      enc.beginBatch();
      const all = enc.encodeAll(x);
      out.push(Array.from(all.dataSync()));
      all.dispose();
    }
    x.dispose();
    return out;
  }

  it('same seed gives the same spikes, a different seed different ones', () => {
    const a = stream(createRng(1), 2);
    const b = stream(createRng(1), 2);
    const c = stream(createRng(2), 2);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    expect(a[0]).not.toEqual(a[1]); // consecutive batches differ
  });

  it('resuming from a saved Rng state reproduces the rest of the stream', () => {
    const rng = createRng(11);
    const enc = createEncoder(spec, { timesteps: T, rng });
    const x = images();
    enc.beginBatch();
    enc.encodeAll(x).dispose();
    const saved = rng.state();
    const uninterrupted = stream(rng, 2);
    const resumed = stream(rngFromState(saved), 2);
    expect(resumed).toEqual(uninterrupted);
    x.dispose();
  });

  it('one beginBatch advances the Rng by exactly one draw, whatever the image size', () => {
    const rng = createRng(3);
    const ref = createRng(3);
    const enc = createEncoder(spec, { timesteps: T, rng });
    enc.beginBatch();
    const x = images();
    enc.encodeAll(x).dispose();
    x.dispose();
    ref.nextUint32();
    expect(rng.state()).toEqual(ref.state());
  });

  it('encode is random access: step t is the same whatever was encoded before', () => {
    const enc = createEncoder(spec, { timesteps: T, rng: createRng(5) });
    enc.beginBatch();
    const x = images();
    const s2 = Array.from(enc.encode(x, 2).dataSync());
    const all = enc.encodeAll(x);
    const fromAll = Array.from(tf.slice(all, [2], [1]).dataSync());
    expect(fromAll).toEqual(s2);
    const s0 = Array.from(tf.slice(all, [0], [1]).dataSync());
    expect(s0).not.toEqual(s2);
    enc.beginBatch(enc.batchSeed!); // an explicit seed replays the batch
    expect(Array.from(enc.encode(x, 2).dataSync())).toEqual(s2);
    tf.dispose([all, x]);
  });
});
