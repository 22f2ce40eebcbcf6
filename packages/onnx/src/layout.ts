/** NHWC (spikelite) ↔ NCHW (ONNX) element orders, shared by the importer and the exporter. */

/**
 * Spikelite flatten index (h, w, c) → ONNX flatten index (c, h, w), for every spikelite index.
 * A `[N, C, H, W]` ONNX image flattened by ONNX holds spikelite feature `j` at `map[j]`.
 */
export function hwcToChw([c, h, w]: readonly [number, number, number]): Int32Array {
  const map = new Int32Array(c * h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) map[(y * w + x) * c + k] = (k * h + y) * w + x;
  return map;
}

/** Conv kernel HWIO (spikelite) → OIHW (ONNX). */
export function hwioToOihw(w: Float32Array, [kh, kw, cin, cout]: readonly [number, number, number, number]): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((o * cin + i) * kh + y) * kw + x] = w[((y * kw + x) * cin + i) * cout + o]!;
  return out;
}
