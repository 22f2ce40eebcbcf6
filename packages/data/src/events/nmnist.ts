/**
 * N-MNIST / N-Caltech101 binary files (Orchard et al. 2015): 5 bytes per event, big-endian
 * bit order within the 40 bits:
 *   byte 0       x (pixels)
 *   byte 1       y (pixels)
 *   byte 2 bit 7 polarity (1 = ON)
 *   bits 22..0   timestamp in µs (byte 2 bits 6..0, byte 3, byte 4)
 * An event with y = 240 is not an event but a timestamp-overflow marker: it is dropped and
 * every later timestamp grows by 2^13 µs, as the dataset authors' reader (and tonic) do.
 * (Recordings last about 0.3 s, far below 2^23 µs, so real files do not contain one.)
 */
import { fileError } from '../errors.js';
import { EventBuilder, type EventStream } from './types.js';

export const NMNIST_EVENT_BYTES = 5;
export const NMNIST_OVERFLOW_Y = 240;
export const NMNIST_OVERFLOW_US = 2 ** 13;
export const NMNIST_SIZE = { width: 34, height: 34 } as const;

export interface NmnistOptions {
  /** Sensor size; N-MNIST is 34×34 (N-Caltech101 files vary: pass theirs). */
  readonly width?: number;
  readonly height?: number;
}

export function decodeNmnist(bytes: Uint8Array, file: string, options: NmnistOptions = {}): EventStream {
  const width = options.width ?? NMNIST_SIZE.width;
  const height = options.height ?? NMNIST_SIZE.height;
  const rest = bytes.length % NMNIST_EVENT_BYTES;
  if (rest !== 0) {
    throw fileError(file, `truncated N-MNIST file: ${bytes.length} bytes is not a whole number of ${NMNIST_EVENT_BYTES}-byte events (${rest} byte(s) left over)`);
  }
  const out = new EventBuilder();
  let offset = 0;
  for (let i = 0; i < bytes.length; i += NMNIST_EVENT_BYTES) {
    const x = bytes[i]!;
    const y = bytes[i + 1]!;
    const b2 = bytes[i + 2]!;
    if (y === NMNIST_OVERFLOW_Y) {
      offset += NMNIST_OVERFLOW_US;
      continue;
    }
    if (x >= width || y >= height) {
      throw fileError(file, `event ${i / NMNIST_EVENT_BYTES} at (${x}, ${y}) is outside the ${width}×${height} sensor: not an N-MNIST file?`);
    }
    const t = ((b2 & 0x7f) << 16) | (bytes[i + 3]! << 8) | bytes[i + 4]!;
    out.push(x, y, t + offset, b2 >> 7);
  }
  return out.build(width, height);
}

/** The bytes of `events` in the N-MNIST layout (for tests and tools); timestamps must fit 23 bits. */
export function encodeNmnist(events: EventStream): Uint8Array {
  const bytes = new Uint8Array(events.count * NMNIST_EVENT_BYTES);
  for (let i = 0; i < events.count; i++) {
    const t = events.t[i]!;
    if (!(Number.isInteger(t) && t >= 0 && t < 2 ** 23)) throw new Error(`encodeNmnist: timestamp ${t} does not fit 23 bits`);
    const o = i * NMNIST_EVENT_BYTES;
    bytes[o] = events.x[i]!;
    bytes[o + 1] = events.y[i]!;
    bytes[o + 2] = (events.p[i]! << 7) | (t >> 16);
    bytes[o + 3] = (t >> 8) & 0xff;
    bytes[o + 4] = t & 0xff;
  }
  return bytes;
}
