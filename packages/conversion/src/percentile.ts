/**
 * The q-th percentile as the DIET code defines it (SPEC §4d): the k-th smallest element
 * with k = 1 + round(0.01·q·(n − 1)). Quickselect on a copy: O(n), no full sort of the
 * millions of activations a calibration batch produces.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) throw new Error('percentile of an empty set');
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile q must be in [0, 100], got ${q}`);
  const a = Float64Array.from(values as ArrayLike<number>);
  const k = Math.min(n, 1 + Math.round(0.01 * q * (n - 1))) - 1; // 0-based
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    // Median of three as the pivot keeps sorted inputs linear.
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
