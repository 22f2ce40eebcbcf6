/**
 * Reader for the CIFAR-10 and CIFAR-100 binary versions
 * (https://www.cs.toronto.edu/~kriz/cifar.html). A record is the label byte(s) then
 * 3072 pixel bytes: the 32x32 red plane, then green, then blue (CHW). Records are
 * converted to HWC floats in [0, 1] so that every dataset has one layout.
 */
import { DataError, fileError } from './errors.js';
import { readMaybeGzip } from './files.js';
import type { ImageSet } from './types.js';

export type CifarVariant = 'cifar10' | 'cifar100';

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
const PIXELS = CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS;

interface VariantInfo {
  /** Label bytes before the pixels: CIFAR-100 stores coarse then fine. */
  labelBytes: number;
  /** Offset of the label used within those bytes (the fine label for CIFAR-100). */
  labelOffset: number;
  classes: number;
}

const VARIANTS: Readonly<Record<CifarVariant, VariantInfo>> = {
  cifar10: { labelBytes: 1, labelOffset: 0, classes: 10 },
  cifar100: { labelBytes: 2, labelOffset: 1, classes: 100 },
};

/** Bytes per record: 3073 for CIFAR-10, 3074 for CIFAR-100. */
export function cifarRecordBytes(variant: CifarVariant): number {
  return VARIANTS[variant].labelBytes + PIXELS;
}

export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

/** Checks one file's bytes and returns its record count. */
export function checkCifarBytes(bytes: Uint8Array, file: string, variant: CifarVariant): number {
  const { labelBytes, labelOffset, classes } = VARIANTS[variant];
  const record = labelBytes + PIXELS;
  if (bytes.length === 0) throw fileError(file, 'empty file, expected CIFAR binary records');
  if (bytes.length % record !== 0) {
    const whole = Math.floor(bytes.length / record);
    throw fileError(
      file,
      `size ${bytes.length} bytes is not a multiple of the ${variant} record size ${record} ` +
        `(${labelBytes} label byte${labelBytes > 1 ? 's' : ''} + ${PIXELS} pixels); ` +
        `${whole} whole record${whole === 1 ? '' : 's'} and ${bytes.length % record} bytes left over`,
    );
  }
  const count = bytes.length / record;
  for (let i = 0; i < count; i++) {
    const label = bytes[i * record + labelOffset]!;
    if (label >= classes) {
      throw fileError(
        file,
        `record ${i}: label ${label} is out of range for ${variant} (expected 0..${classes - 1})` +
          (variant === 'cifar10' ? '; is this a CIFAR-100 file?' : ''),
      );
    }
  }
  return count;
}

/**
 * Decodes CIFAR records from one or more files (e.g. data_batch_1..5) into one ImageSet,
 * in file order. Only the first `limit` records are converted, so a limited run does not
 * allocate the whole set.
 */
export function decodeCifar(
  parts: readonly { file: string; bytes: Uint8Array }[],
  variant: CifarVariant,
  limit?: number,
): ImageSet {
  if (parts.length === 0) throw new DataError(`no ${variant} files to decode`);
  const counts = parts.map((p) => checkCifarBytes(p.bytes, p.file, variant));
  const total = counts.reduce((a, b) => a + b, 0);
  const count = limit === undefined ? total : Math.min(total, limit);
  const { labelBytes, labelOffset, classes } = VARIANTS[variant];
  const record = labelBytes + PIXELS;
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let n = 0;
  for (let p = 0; p < parts.length && n < count; p++) {
    const bytes = parts[p]!.bytes;
    const inFile = Math.min(counts[p]!, count - n);
    for (let r = 0; r < inFile; r++, n++) {
      const base = r * record;
      labels[n] = bytes[base + labelOffset]!;
      const src = base + labelBytes;
      const dst = n * PIXELS;
      // CHW -> HWC: pixel i of channel c goes to dst + i*3 + c.
      for (let c = 0; c < CIFAR_CHANNELS; c++) {
        const s = src + c * plane;
        for (let i = 0; i < plane; i++) images[dst + i * CIFAR_CHANNELS + c] = bytes[s + i]! / 255;
      }
    }
  }
  return { images, labels, count, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: CIFAR_CHANNELS, classes };
}

/** Reads CIFAR binary files (raw or gzip) into one ImageSet. */
export async function readCifar(files: readonly string[], variant: CifarVariant, limit?: number): Promise<ImageSet> {
  const parts = await Promise.all(files.map(async (file) => ({ file, bytes: await readMaybeGzip(file) })));
  return decodeCifar(parts, variant, limit);
}
