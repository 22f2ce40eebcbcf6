/** Colour conversions as Pillow's `Image.convert` does them (libImaging/Convert.c). */
import type { U8Image } from './image.js';

/** RGB -> L with ITU-R 601-2 luma in 16-bit fixed point, rounded: Pillow's L24 macro. */
export function toGrey(img: U8Image): U8Image {
  if (img.channels === 1) return img;
  if (img.channels !== 3) throw new RangeError(`expected a 1- or 3-channel image, got ${img.channels} channels`);
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = (d[j]! * 19595 + d[j + 1]! * 38470 + d[j + 2]! * 7471 + 0x8000) >>> 16;
  return { data: out, width: img.width, height: img.height, channels: 1 };
}

/** L -> RGB copies the grey value into each channel; RGB passes unchanged. */
export function toRgb(img: U8Image): U8Image {
  if (img.channels === 3) return img;
  if (img.channels !== 1) throw new RangeError(`expected a 1- or 3-channel image, got ${img.channels} channels`);
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = img.data[i]!;
  return { data: out, width: img.width, height: img.height, channels: 3 };
}
