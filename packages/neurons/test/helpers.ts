/** Shared test helpers (not part of the package build). */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { expect } from 'vitest';

export const BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof BACKENDS)[number];

/** Switch to `backend` through the engine (initialising it on first use). */
export async function useBackend(backend: TestBackend): Promise<void> {
  const info = await initEngine({ backend });
  expect(info.backend).toBe(backend);
  expect(tf.getBackend()).toBe(backend);
}

/** Uniform values in [lo, hi), seeded. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** max |a − b| / max |b| (the reference is b). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  return err / Math.max(scale, 1e-12);
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}
