/**
 * Sizes, crops and flips as torchvision 0.14 computes them for PIL images (output-size
 * rounding, Python's round-half-to-even in CenterCrop, zero fill outside the image).
 */
import type { Rng } from '@spikelite/engine';
import { blankU8, type U8Image } from './image.js';

/** `[height, width]` from `n` (square) or `[h, w]`. */
export function sizePair(size: number | readonly [number, number]): [number, number] {
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}

/**
 * torchvision's `_compute_resized_output_size`: `n` sets the shorter side (the longer is
 * truncated, `int(n * long / short)`), optionally capped by maxSize; `[h, w]` is exact.
 */
export function resizedSize(
  height: number,
  width: number,
  size: number | readonly [number, number],
  maxSize?: number,
): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  const [short, long] = width <= height ? [width, height] : [height, width];
  let newShort = size;
  let newLong = Math.trunc((size * long) / short);
  if (maxSize !== undefined && newLong > maxSize) {
    newShort = Math.trunc((maxSize * newShort) / newLong);
    newLong = maxSize;
  }
  return width <= height ? [newLong, newShort] : [newShort, newLong];
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Pillow's `crop((left, top, left + width, top + height))`: pixels outside the image are 0. */
export function cropImage(img: U8Image, top: number, left: number, height: number, width: number): U8Image {
  const out = blankU8(width, height, img.channels);
  const c = img.channels;
  const x0 = Math.max(0, left);
  const x1 = Math.min(img.width, left + width);
  if (x1 <= x0) return out;
  for (let y = Math.max(0, top); y < Math.min(img.height, top + height); y++) {
    const src = (y * img.width + x0) * c;
    out.data.set(img.data.subarray(src, src + (x1 - x0) * c), ((y - top) * width + (x0 - left)) * c);
  }
  return out;
}

/** torchvision's `center_crop`: zero-pad to at least the crop size, then crop at the rounded centre. */
export function centerCropImage(img: U8Image, height: number, width: number): U8Image {
  // Padding (w - W) // 2 on the left/top, the rest right/bottom, is a crop starting at -(w - W) // 2.
  const padTop = height > img.height ? Math.floor((height - img.height) / 2) : 0;
  const padLeft = width > img.width ? Math.floor((width - img.width) / 2) : 0;
  const paddedH = Math.max(height, img.height);
  const paddedW = Math.max(width, img.width);
  const top = roundHalfEven((paddedH - height) / 2) - padTop;
  const left = roundHalfEven((paddedW - width) / 2) - padLeft;
  if (top === 0 && left === 0 && height === img.height && width === img.width) return img;
  return cropImage(img, top, left, height, width);
}

export function hflipImage(img: U8Image): U8Image {
  const { width, height, channels: c } = img;
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * c;
      const d = (y * width + (width - 1 - x)) * c;
      for (let k = 0; k < c; k++) out[d + k] = img.data[s + k]!;
    }
  }
  return { data: out, width, height, channels: c };
}

/** A crop box: the image region [top, top + height) x [left, left + width). */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/**
 * `RandomResizedCrop.get_params`: up to 10 draws of an area fraction (uniform in scale) and a
 * log-uniform aspect ratio; the first box that fits is placed uniformly; else the central
 * crop clamped to the ratio range. The draws come from `rng` (not torch's generator).
 */
export function randomResizedCropBox(
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): CropBox {
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (scale[0] + (scale[1] - scale[0]) * rng.next());
    const aspect = Math.exp(logLo + (logHi - logLo) * rng.next());
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}
