/**
 * Axis orders between NIR and spikelite. NIR (PyTorch) holds an image as (C, H, W) and a
 * Conv2d weight as (C_out, C_in, kH, kW); spikelite holds images as [H, W, C] (NHWC without
 * the batch), conv kernels as HWIO and dense kernels as [in, out] where NIR writes (out, in).
 * Every function returns a fresh Float32Array (float64 inputs are rounded once).
 */

type Values = ArrayLike<number>;

/** (C, H, W) → [H, W, C]. */
export function chwToHwc(x: Values, [c, h, w]: readonly [number, number, number]): Float32Array {
  const out = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) out[p * c + k] = x[k * h * w + p]!;
  return out;
}

/** [H, W, C] → (C, H, W). */
export function hwcToChw(x: Values, [h, w, c]: readonly [number, number, number]): Float32Array {
  const out = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) out[k * h * w + p] = x[p * c + k]!;
  return out;
}

/** (O, I, kH, kW) → [kH, kW, I, O]. */
export function oihwToHwio(x: Values, [o, i, kh, kw]: readonly [number, number, number, number]): Float32Array {
  const out = new Float32Array(o * i * kh * kw);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) out[((y * kw + z) * i + b) * o + a] = x[((a * i + b) * kh + y) * kw + z]!;
  return out;
}

/** [kH, kW, I, O] → (O, I, kH, kW). */
export function hwioToOihw(x: Values, [kh, kw, i, o]: readonly [number, number, number, number]): Float32Array {
  const out = new Float32Array(o * i * kh * kw);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) out[((a * i + b) * kh + y) * kw + z] = x[((y * kw + z) * i + b) * o + a]!;
  return out;
}

/** A rows × cols matrix → its cols × rows transpose. */
export function transpose2d(x: Values, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
  return out;
}

/** A NIR per-image shape as spikelite holds it: (C, H, W) → [H, W, C]; other ranks as they are. */
export function spikeliteShape(nir: readonly number[]): number[] {
  return nir.length === 3 ? [nir[1]!, nir[2]!, nir[0]!] : [...nir];
}

/** A per-image value in spikelite's order → NIR's (C, H, W) order (other ranks unchanged). */
export function toNirOrder(x: Values, nirShape: readonly number[]): Float32Array {
  return nirShape.length === 3 ? hwcToChw(x, [nirShape[1]!, nirShape[2]!, nirShape[0]!]) : Float32Array.from(x);
}

/** A per-image value in NIR's order → spikelite's (C, H, W → H, W, C; other ranks unchanged). */
export function toSpikeliteOrder(x: Values, nirShape: readonly number[]): Float32Array {
  return nirShape.length === 3 ? chwToHwc(x, nirShape as [number, number, number]) : Float32Array.from(x);
}
