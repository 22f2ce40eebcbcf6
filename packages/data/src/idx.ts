/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * magic = 00 00 <dtype> <ndims>, then ndims big-endian uint32 sizes, then the data,
 * row-major. Files may be raw or gzip; gzip is detected from the bytes.
 */
import { fileError } from './errors.js';
import { readMaybeGzip } from './files.js';
import type { ImageSet } from './types.js';

/** A decoded IDX file. Only unsigned bytes (dtype 0x08) are supported. */
export interface IdxArray {
  readonly dims: readonly number[];
  /** product(dims) bytes; a view into the file's bytes. */
  readonly data: Uint8Array;
}

const UBYTE = 0x08;
/** The IDX dtype codes, so that a real but unsupported type gets its own message. */
const IDX_TYPES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};
// IDX files in practice have 1-4 dims; a larger count means the bytes are not IDX at all.
const MAX_DIMS = 8;

const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
const hex8 = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

/**
 * Parses IDX bytes (already decompressed). `file` is only used in error messages;
 * `ndims`, when given, is the number of dimensions the caller needs (3 for images,
 * 1 for labels).
 */
export function parseIdx(bytes: Uint8Array, file: string, ndims?: number): IdxArray {
  if (bytes.length < 4) {
    throw fileError(file, `truncated: ${bytes.length} bytes, an IDX header needs at least 4`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const dtype = bytes[2]!;
  const nd = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || IDX_TYPES[dtype] === undefined || nd === 0 || nd > MAX_DIMS) {
    throw fileError(
      file,
      `bad magic number ${hex32(magic)} (expected 0x00000803 for ubyte images or 0x00000801 for labels)`,
    );
  }
  if (dtype !== UBYTE) {
    throw fileError(
      file,
      `unsupported IDX data type ${hex8(dtype)} (${IDX_TYPES[dtype]}); only 0x08 (unsigned byte) is supported`,
    );
  }
  if (ndims !== undefined && nd !== ndims) {
    const want = ndims === 1 ? 'labels (1 dimension)' : `images (${ndims} dimensions)`;
    throw fileError(file, `expected ${want}, but the header has ${nd} dimension${nd === 1 ? '' : 's'}`);
  }
  const headerBytes = 4 + 4 * nd;
  if (bytes.length < headerBytes) {
    throw fileError(file, `truncated: header of ${nd} dimensions needs ${headerBytes} bytes, file has ${bytes.length}`);
  }
  const dims: number[] = [];
  let expected = 1;
  for (let i = 0; i < nd; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    expected *= d;
  }
  const actual = bytes.length - headerBytes;
  const shape = `header says ${dims.join('x')} = ${expected} bytes`;
  if (actual < expected) {
    throw fileError(file, `truncated: ${shape}, file has ${actual} after the ${headerBytes}-byte header`);
  }
  if (actual > expected) {
    throw fileError(
      file,
      `${actual - expected} unexpected trailing bytes: ${shape}, file has ${actual} after the ${headerBytes}-byte header`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads and parses one IDX file (raw or gzip). */
export async function readIdx(file: string, ndims?: number): Promise<IdxArray> {
  return parseIdx(await readMaybeGzip(file), file, ndims);
}

export interface IdxPairOptions {
  /** Keep only the first `limit` images. */
  limit?: number;
  /** Number of classes; labels must be below it. Default: max label + 1. */
  classes?: number;
}

/**
 * Builds an ImageSet from an images file (N x H x W, or N x H x W x C) and a labels
 * file (N), checking that they agree.
 */
export function idxImageSet(
  images: IdxArray,
  labels: IdxArray,
  files: { images: string; labels: string },
  opts: IdxPairOptions = {},
): ImageSet {
  const [n = 0, height = 0, width = 0, channels = 1] = images.dims;
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw fileError(files.images, `expected images of 3 or 4 dimensions, header has ${images.dims.length}`);
  }
  const labelCount = labels.dims[0] ?? 0;
  if (labels.dims.length !== 1) {
    throw fileError(files.labels, `expected labels (1 dimension), header has ${labels.dims.length}`);
  }
  if (labelCount !== n) {
    throw fileError(files.labels, `has ${labelCount} labels but ${files.images} has ${n} images`);
  }
  let maxLabel = -1;
  for (let i = 0; i < labelCount; i++) {
    const l = labels.data[i]!;
    if (l > maxLabel) maxLabel = l;
    if (opts.classes !== undefined && l >= opts.classes) {
      throw fileError(files.labels, `label ${l} at index ${i} is out of range (expected 0..${opts.classes - 1})`);
    }
  }
  const count = opts.limit === undefined ? n : Math.min(n, opts.limit);
  const size = height * width * channels;
  const pixels = new Float32Array(count * size);
  const src = images.data;
  // A plain division measured faster here than a 256-entry lookup table.
  for (let i = 0; i < pixels.length; i++) pixels[i] = src[i]! / 255;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = labels.data[i]!;
  return {
    images: pixels,
    labels: out,
    count,
    height,
    width,
    channels,
    classes: opts.classes ?? maxLabel + 1,
  };
}

/** Reads an images file and a labels file into an ImageSet. */
export async function readIdxImageSet(
  imagesFile: string,
  labelsFile: string,
  opts: IdxPairOptions = {},
): Promise<ImageSet> {
  const [images, labels] = await Promise.all([readIdx(imagesFile), readIdx(labelsFile, 1)]);
  return idxImageSet(images, labels, { images: imagesFile, labels: labelsFile }, opts);
}
