/**
 * Seeded pseudo-random numbers whose whole state is four uint32s, so that a checkpoint can
 * store it and a resumed run draws exactly the numbers an uninterrupted run would.
 * Generator: xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 */

/** The complete state of an {@link Rng}; JSON-safe. */
export type RngState = readonly [number, number, number, number];

export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform uint32. */
  nextUint32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller; uses two draws). */
  normal(): number;
  /** A copy of the current state. */
  state(): RngState;
  /** A new independent generator seeded from this one (advances this one). */
  fork(): Rng;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** A generator that continues from a stored state. */
export function rngFromState(state: RngState): Rng {
  if (state.length !== 4 || state.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
    throw new Error(`rng state must be four uint32 values, got ${JSON.stringify(state)}`);
  }
  if (state.every((v) => v === 0)) throw new Error('rng state must not be all zero');
  let [a, b, c, d] = state as [number, number, number, number];
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d = (d ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d) >>> 0;
    c = (c ^ t) >>> 0;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => nextUint32() / 4294967296;
  const rng: Rng = {
    next,
    nextUint32,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    normal(): number {
      const u = 1 - next(); // (0, 1]: log is finite
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    state: () => [a, b, c, d] as const,
    fork: () => createRng(nextUint32()),
  };
  return rng;
}

/** A generator seeded from one integer; equal seeds give equal streams. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`rng seed must be a finite number, got ${seed}`);
  const sm = splitmix32(Math.trunc(seed));
  const state: [number, number, number, number] = [sm(), sm(), sm(), sm()];
  if (state.every((v) => v === 0)) state[0] = 1;
  return rngFromState(state);
}

/** Fisher-Yates shuffle in place, driven by `rng`. */
export function shuffleInPlace<T>(items: T[] | Int32Array | Uint32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
}
