/**
 * Resizing as Pillow does it (`Image.resize`, libImaging/Resample.c), which is what
 * torchvision 0.14's `Resize` runs on PIL images (it always antialiases there): a separable
 * convolution whose filter support grows with the downscale factor; coefficients in fixed
 * point with 22 fractional bits; a horizontal pass into an 8-bit intermediate, then a vertical
 * pass. Following it step by step gives the same bytes as Pillow (tested on fixtures).
 */
import { type U8Image } from './image.js';

interface Filter {
  readonly support: number;
  at(x: number): number;
}

const BILINEAR: Filter = {
  support: 1,
  at(x) {
    const a = Math.abs(x);
    return a < 1 ? 1 - a : 0;
  },
};

// Pillow's bicubic uses a = -0.5.
const A = -0.5;
const BICUBIC: Filter = {
  support: 2,
  at(x) {
    const a = Math.abs(x);
    if (a < 1) return ((A + 2) * a - (A + 3)) * a * a + 1;
    if (a < 2) return (((a - 5) * a + 8) * a - 4) * A;
    return 0;
  },
};

export const RESAMPLE_FILTERS = { bilinear: BILINEAR, bicubic: BICUBIC } as const;
export type ResampleFilter = keyof typeof RESAMPLE_FILTERS;

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

/** Per output pixel: first input index, tap count, and fixed-point weights (ksize per pixel). */
interface Coefficients {
  readonly ksize: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis (box = the whole input). */
function coefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.at((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x]! / ww : k[x]!;
      weights[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function horizontal(src: U8Image, width: number, c: Coefficients): U8Image {
  const { height, channels } = src;
  const out = new Uint8Array(width * height * channels);
  const { ksize, start, count, weights } = c;
  const d = src.data;
  const rowIn = src.width * channels;
  for (let y = 0; y < height; y++) {
    const row = y * rowIn;
    for (let xx = 0; xx < width; xx++) {
      const n = count[xx]!;
      const wk = xx * ksize;
      const base = row + start[xx]! * channels;
      const o = (y * width + xx) * channels;
      if (channels === 3) {
        // The common case, one pass over the taps for all three channels (as Pillow does).
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0, p = base; x < n; x++, p += 3) {
          const w = weights[wk + x]!;
          s0 += d[p]! * w;
          s1 += d[p + 1]! * w;
          s2 += d[p + 2]! * w;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
        continue;
      }
      for (let ch = 0; ch < channels; ch++) {
        let ss = HALF;
        for (let x = 0, p = base + ch; x < n; x++, p += channels) ss += d[p]! * weights[wk + x]!;
        out[o + ch] = clip8(ss);
      }
    }
  }
  return { data: out, width, height, channels };
}

function vertical(src: U8Image, height: number, c: Coefficients): U8Image {
  const { width, channels } = src;
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  const { ksize, start, count, weights } = c;
  const d = src.data;
  // Accumulate whole rows (cache-friendly), then round: the same sums as Pillow's per-pixel loop.
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < height; yy++) {
    const n = count[yy]!;
    const wk = yy * ksize;
    acc.fill(HALF);
    for (let y = 0; y < n; y++) {
      const w = weights[wk + y]!;
      const row = (start[yy]! + y) * stride;
      for (let i = 0; i < stride; i++) acc[i] = acc[i]! + d[row + i]! * w;
    }
    const o = yy * stride;
    for (let i = 0; i < stride; i++) out[o + i] = clip8(acc[i]!);
  }
  return { data: out, width, height, channels };
}

/** Resize to width x height with Pillow's convolution resampling (antialiased when shrinking). */
export function resizeImage(img: U8Image, width: number, height: number, filter: ResampleFilter = 'bilinear'): U8Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
  }
  if (width === img.width && height === img.height) return img;
  const f = RESAMPLE_FILTERS[filter];
  // Pillow's two-pass order: horizontal first (only the rows the vertical pass reads; all
  // of them give the same bytes), then vertical.
  const h = width !== img.width ? horizontal(img, width, coefficients(img.width, width, f)) : img;
  return height !== img.height ? vertical(h, height, coefficients(img.height, height, f)) : h;
}
