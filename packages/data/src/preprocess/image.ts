/**
 * Images between decoding and the model: 8-bit (as Pillow holds them) until `toTensor`,
 * float32 after. Both are height x width x channels, interleaved (HWC), the layout of one
 * ImageSet entry.
 */

/** An 8-bit image, HWC; channels 1 (grey) or 3 (RGB). */
export interface U8Image {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** A float32 image, HWC (after `toTensor`). */
export interface F32Image {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Either, in the middle of a pipeline. */
export type Picture = U8Image | F32Image;

export function isFloat(p: Picture): p is F32Image {
  return p.data instanceof Float32Array;
}

/** A zeroed 8-bit image. */
export function blankU8(width: number, height: number, channels: number): U8Image {
  return { data: new Uint8Array(width * height * channels), width, height, channels };
}
