/**
 * Splitting a batch into data-parallel shards and reducing their gradients. Pure functions,
 * so the arithmetic that makes a multi-thread step deterministic is tested on its own.
 */

/** Contiguous shard sizes for `n` examples over at most `threads` shards (no empty shard); the first get the remainder. */
export function shardSizes(n: number, threads: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`shardSizes: batch size must be a positive integer, got ${n}`);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`shardSizes: threads must be a positive integer, got ${threads}`);
  const k = Math.min(n, threads);
  const base = Math.floor(n / k);
  return Array.from({ length: k }, (_, i) => base + (i < n % k ? 1 : 0));
}

/**
 * The full-batch gradient from shard gradients of a batch-mean loss: Σ_k (n_k / n)·g_k, in
 * shard order (so the result depends only on the shards, never on which thread finished
 * first), summed in float64 and rounded once to float32.
 */
export function reduceShards(grads: readonly Float32Array[], sizes: readonly number[]): Float32Array {
  if (grads.length !== sizes.length || grads.length === 0) throw new Error(`reduceShards: ${grads.length} gradients for ${sizes.length} shards`);
  const n = sizes.reduce((a, b) => a + b, 0);
  const len = grads[0]!.length;
  for (const g of grads) if (g.length !== len) throw new Error(`reduceShards: gradient lengths differ (${g.length} vs ${len})`);
  const out = new Float32Array(len);
  const w = sizes.map((s) => s / n);
  if (grads.length === 2) {
    const [a, b] = grads as [Float32Array, Float32Array];
    const [wa, wb] = w as [number, number];
    for (let i = 0; i < len; i++) out[i] = wa * a[i]! + wb * b[i]!;
    return out;
  }
  for (let i = 0; i < len; i++) {
    let s = 0;
    for (let k = 0; k < grads.length; k++) s += w[k]! * grads[k]![i]!;
    out[i] = s;
  }
  return out;
}

/** Weighted mean of per-shard scalars (losses). */
export function weightedMean(values: readonly number[], sizes: readonly number[]): number {
  const n = sizes.reduce((a, b) => a + b, 0);
  let s = 0;
  values.forEach((v, k) => (s += (sizes[k]! / n) * v));
  return s;
}
