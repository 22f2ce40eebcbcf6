/**
 * AEDAT files (iniVation / jAER / cAER), versions 2.0 and 3.1 (polarity events).
 *
 * Both start with text header lines, each '#' … CRLF; the first is the version line
 * '#!AER-DAT<x>.<y>'.
 *  - 2.0: header lines, then 8-byte events, big-endian: int32 address, int32 timestamp (µs).
 *    The address layout is the sensor's; this reader decodes the DVS128's (the AEDAT 1.0/2.0
 *    default): bit 15 external event (skipped), bits 14–8 y, bits 7–1 x, bit 0 polarity
 *    (1 = ON), origin bottom-left, so y is flipped to the top-left origin here. Files whose
 *    header names a DAVIS chip (another address layout) are refused.
 *  - 3.1: header lines up to '#!END-HEADER', the sensor in '#Source <id>: <name>', then event
 *    packets, little-endian. A packet is a 28-byte header (int16 eventType, int16
 *    eventSource, int32 eventSize, eventTSOffset, eventTSOverflow, eventCapacity,
 *    eventNumber, eventValid) and eventNumber events of eventSize bytes. Polarity events
 *    (type 1): int32 data (bit 0 valid, bit 1 polarity, bits 2–16 y, bits 17–31 x), int32
 *    timestamp; the full timestamp is eventTSOverflow·2^31 + timestamp. Origin top-left.
 *    Other packet types are skipped; invalid events too.
 */
import { fileError } from '../errors.js';
import { EventBuilder, type EventStream } from './types.js';

/** Known sensors: name in the header → size. */
const SENSORS: Readonly<Record<string, { width: number; height: number }>> = {
  DVS128: { width: 128, height: 128 },
  DAVIS240: { width: 240, height: 180 },
  DAVIS240A: { width: 240, height: 180 },
  DAVIS240B: { width: 240, height: 180 },
  DAVIS240C: { width: 240, height: 180 },
  DAVIS346: { width: 346, height: 260 },
  DAVIS346B: { width: 346, height: 260 },
  DAVIS346C: { width: 346, height: 260 },
  DAVIS640: { width: 640, height: 480 },
};

export interface AedatOptions {
  /** Sensor size, when the header does not name a known sensor (3.1). */
  readonly width?: number;
  readonly height?: number;
}

interface Header {
  readonly version: string;
  readonly lines: readonly string[];
  /** Offset of the first byte after the header. */
  readonly end: number;
}

const HASH = 0x23;

/** The header lines ('#' … LF, CR dropped) and where the binary data starts. */
function readHeader(bytes: Uint8Array, file: string): Header {
  const lines: string[] = [];
  let pos = 0;
  const decoder = new TextDecoder('latin1');
  while (pos < bytes.length && bytes[pos] === HASH) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) throw fileError(file, 'truncated AEDAT header: a header line has no end of line');
    lines.push(decoder.decode(bytes.subarray(pos, nl)).replace(/\r$/, ''));
    pos = nl + 1;
    if (lines[lines.length - 1] === '#!END-HEADER') break;
  }
  const m = /^#!AER-DAT(\d+\.\d+)$/.exec(lines[0] ?? '');
  if (m === null) {
    const first = lines[0] ?? decoder.decode(bytes.subarray(0, Math.min(16, bytes.length)));
    throw fileError(file, `not an AEDAT file: the first line must be '#!AER-DAT2.0' or '#!AER-DAT3.1' (wrong magic), got ${JSON.stringify(first.slice(0, 40))}`);
  }
  return { version: m[1]!, lines, end: pos };
}

export function decodeAedat(bytes: Uint8Array, file: string, options: AedatOptions = {}): EventStream {
  const header = readHeader(bytes, file);
  if (header.version === '2.0') return decodeAedat2(bytes, header, file);
  if (header.version === '3.1') return decodeAedat31(bytes, header, file, options);
  throw fileError(file, `AEDAT version ${header.version} is not supported (this reader: 2.0 and 3.1)`);
}

function decodeAedat2(bytes: Uint8Array, header: Header, file: string): EventStream {
  const chip = header.lines.find((l) => /^#\s*AEChip:/.test(l));
  if (chip !== undefined && !/DVS128/i.test(chip)) {
    throw fileError(file, `AEDAT 2.0 from ${chip.replace(/^#\s*AEChip:\s*/, '')}: only the DVS128 address layout is supported`);
  }
  const data = bytes.length - header.end;
  if (data % 8 !== 0) throw fileError(file, `truncated AEDAT 2.0 data: ${data} bytes is not a whole number of 8-byte events`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.end, data);
  const { width, height } = SENSORS['DVS128']!;
  const out = new EventBuilder();
  let wrap = 0;
  let last = -Infinity;
  for (let o = 0; o < data; o += 8) {
    const address = view.getUint32(o, false);
    // Timestamps are int32 µs and wrap after 2^32 (71 minutes): unwrap on a backward jump.
    const raw = view.getUint32(o + 4, false);
    if (raw + wrap < last - 2 ** 31) wrap += 2 ** 32;
    const t = raw + wrap;
    last = t;
    if (address & 0x8000) continue; // external event
    const x = (address >> 1) & 0x7f;
    const y = (address >> 8) & 0x7f;
    out.push(x, height - 1 - y, t, address & 1);
  }
  return out.build(width, height);
}

function decodeAedat31(bytes: Uint8Array, header: Header, file: string, options: AedatOptions): EventStream {
  if (header.lines[header.lines.length - 1] !== '#!END-HEADER') throw fileError(file, "bad AEDAT 3.1 header: no '#!END-HEADER' line");
  const source = header.lines.map((l) => /^#Source \d+:\s*(\S+)/.exec(l)?.[1]).find((s) => s !== undefined);
  const known = source === undefined ? undefined : SENSORS[source.toUpperCase()];
  const width = options.width ?? known?.width;
  const height = options.height ?? known?.height;
  if (width === undefined || height === undefined) {
    throw fileError(file, `AEDAT 3.1 source ${source === undefined ? '(none in the header)' : `'${source}'`} is not a known sensor: pass width and height`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new EventBuilder();
  let pos = header.end;
  let packet = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 28) throw fileError(file, `truncated AEDAT 3.1 data: packet ${packet} has a ${bytes.length - pos}-byte header (28 expected)`);
    const type = view.getInt16(pos, true);
    const size = view.getInt32(pos + 4, true);
    const tsOffset = view.getInt32(pos + 8, true);
    const overflow = view.getInt32(pos + 12, true);
    const number = view.getInt32(pos + 20, true);
    const start = pos + 28;
    if (size <= 0 || number < 0) throw fileError(file, `bad AEDAT 3.1 packet ${packet}: eventSize ${size}, eventNumber ${number}`);
    const end = start + size * number;
    if (end > bytes.length) throw fileError(file, `truncated AEDAT 3.1 data: packet ${packet} holds ${number} events of ${size} bytes but the file ends ${end - bytes.length} bytes early`);
    if (type === 1) {
      if (size < 8 || tsOffset !== 4) throw fileError(file, `bad AEDAT 3.1 polarity packet ${packet}: eventSize ${size}, eventTSOffset ${tsOffset} (8 and 4 expected)`);
      for (let o = start; o < end; o += size) {
        const data = view.getUint32(o, true);
        if ((data & 1) === 0) continue; // invalidated event
        const x = (data >>> 17) & 0x7fff;
        const y = (data >>> 2) & 0x7fff;
        if (x >= width || y >= height) throw fileError(file, `packet ${packet}: event at (${x}, ${y}) is outside the ${width}×${height} sensor`);
        out.push(x, y, overflow * 2 ** 31 + view.getInt32(o + 4, true), (data >>> 1) & 1);
      }
    }
    pos = end;
    packet++;
  }
  return out.build(width, height);
}
