/**
 * Event readers on small synthetic files written byte by byte here (no event dataset can be
 * installed on these machines), frames worked by hand, and one clear error per bad file.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAedat } from './aedat.js';
import { DEFAULT_EVENT_BINS, openEventDataset, parseEventDatasetSpec } from './dataset.js';
import { loadDataset } from '../registry.js';
import { eventsToFrames, framesToClip } from './frames.js';
import { decodeNmnist, encodeNmnist } from './nmnist.js';
import { eventStream } from './types.js';

const u8 = (...xs: number[]) => Uint8Array.from(xs);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const ascii = (s: string) => new TextEncoder().encode(s);

// N-MNIST: x, y, [p | t22..16], t15..8, t7..0
const NMNIST = concat(
  u8(1, 2, 0x80, 0, 0), //           ON  (1, 2) t = 0
  u8(1, 2, 0x80, 0, 10), //          ON  (1, 2) t = 10
  u8(0, 0, 0x00, 0, 50), //          OFF (0, 0) t = 50
  u8(0, 240, 0, 0, 0), //            overflow marker: +2^13 from here on
  u8(33, 33, 0x80, 0, 100), //       ON  (33, 33) t = 100 + 8192
  u8(5, 6, 0x80 | 0x12, 0x34, 0x56), // ON (5, 6) t = 0x123456 + 8192 = 1201238
);

describe('N-MNIST binary', () => {
  it('decodes x, y, polarity and the 23-bit timestamp, dropping overflow markers', () => {
    const e = decodeNmnist(NMNIST, 'a.bin');
    expect([e.width, e.height, e.count]).toEqual([34, 34, 5]);
    expect(Array.from(e.x)).toEqual([1, 1, 0, 33, 5]);
    expect(Array.from(e.y)).toEqual([2, 2, 0, 33, 6]);
    expect(Array.from(e.p)).toEqual([1, 1, 0, 1, 1]);
    expect(Array.from(e.t)).toEqual([0, 10, 50, 8292, 1201238]);
    // encodeNmnist writes the same layout back (without the marker).
    const plain = eventStream(34, 34, { x: [1, 0], y: [2, 0], t: [0x123456, 50], p: [1, 0] });
    expect(Array.from(encodeNmnist(plain))).toEqual([1, 2, 0x92, 0x34, 0x56, 0, 0, 0, 0, 50]);
  });

  it('one line per bad file: truncated, or not N-MNIST at all', () => {
    expect(() => decodeNmnist(NMNIST.subarray(0, 27), 'b.bin')).toThrow('b.bin: truncated N-MNIST file: 27 bytes is not a whole number of 5-byte events (2 byte(s) left over)');
    expect(() => decodeNmnist(u8(200, 3, 0, 0, 0), 'c.bin')).toThrow('c.bin: event 0 at (200, 3) is outside the 34×34 sensor: not an N-MNIST file?');
  });
});

describe('events → frames', () => {
  const e = decodeNmnist(NMNIST, 'a.bin');

  it('bins the recording span into equal bins (count, split polarity), last event in the last bin', () => {
    const f = eventsToFrames(e, { bins: 2 });
    expect([f.bins, f.height, f.width, f.channels]).toEqual([2, 34, 34, 2]);
    const at = (bin: number, y: number, x: number, c: number) => f.data[((bin * 34 + y) * 34 + x) * 2 + c];
    // Span [0, 1201238]: the first four events fall in bin 0, the last one (t = end) in bin 1.
    expect(at(0, 2, 1, 1)).toBe(2);
    expect(at(0, 0, 0, 0)).toBe(1);
    expect(at(0, 33, 33, 1)).toBe(1);
    expect(at(1, 6, 5, 1)).toBe(1);
    expect(f.data.reduce((a, b) => a + b, 0)).toBe(5);
    // binary and merged polarity
    const b = eventsToFrames(e, { bins: 1, mode: 'binary', polarity: 'merge' });
    expect(b.channels).toBe(1);
    expect(b.data[2 * 34 + 1]).toBe(1);
    expect(b.data.reduce((a, v) => a + v, 0)).toBe(4);
  });

  it('an explicit window [start, end): events at or after end are left out', () => {
    const f = eventsToFrames(e, { bins: 4, start: 0, end: 100 });
    // t = 0, 10 → bin 0; t = 50 → bin 2; t = 8292 and later are outside.
    const sum = (bin: number) => f.data.subarray(bin * 34 * 34 * 2, (bin + 1) * 34 * 34 * 2).reduce((a, v) => a + v, 0);
    expect([sum(0), sum(1), sum(2), sum(3)]).toEqual([2, 0, 1, 0]);
  });

  it('a clip is [H, W, C·T], frame-major', () => {
    const f = eventsToFrames(e, { bins: 2 });
    const clip = framesToClip(f);
    // pixel (6, 5), frame 1, ON → channel 1·2 + 1 = 3 of that pixel
    expect(clip[(6 * 34 + 5) * 4 + 3]).toBe(1);
    expect(clip[(2 * 34 + 1) * 4 + 1]).toBe(2); // frame 0, ON
    expect(clip.reduce((a, v) => a + v, 0)).toBe(5);
  });
});

// AEDAT 2.0: big-endian int32 address, int32 timestamp. DVS128: y bits 14–8, x bits 7–1, p bit 0.
const be32 = (...xs: number[]) => {
  const b = new Uint8Array(xs.length * 4);
  const v = new DataView(b.buffer);
  xs.forEach((x, i) => v.setUint32(i * 4, x >>> 0, false));
  return b;
};
const AEDAT2 = concat(
  ascii('#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n'),
  be32((4 << 8) | (3 << 1) | 1, 1000), // ON at (3, 4): y flipped to 123
  be32(0x8000, 1500), //                  external event: skipped
  be32(127 << 1, 0xfffffff0), //           OFF at (127, 0) → y = 127
  be32(1 << 8, 10), //                     timestamp wrapped: 2^32 + 10
);

describe('AEDAT 2.0 (DVS128)', () => {
  it('decodes big-endian address/timestamp pairs, flips y to a top-left origin, unwraps timestamps', () => {
    const e = decodeAedat(AEDAT2, 'rec.aedat');
    expect([e.width, e.height, e.count]).toEqual([128, 128, 3]);
    expect(Array.from(e.x)).toEqual([3, 127, 0]);
    expect(Array.from(e.y)).toEqual([123, 127, 126]);
    expect(Array.from(e.p)).toEqual([1, 0, 0]);
    expect(Array.from(e.t)).toEqual([1000, 0xfffffff0, 2 ** 32 + 10]);
  });

  it('one line per bad file', () => {
    expect(() => decodeAedat(AEDAT2.subarray(0, AEDAT2.length - 3), 'r.aedat')).toThrow('r.aedat: truncated AEDAT 2.0 data: 29 bytes is not a whole number of 8-byte events');
    expect(() => decodeAedat(ascii('hello world'), 'h.aedat')).toThrow(`h.aedat: not an AEDAT file: the first line must be '#!AER-DAT2.0' or '#!AER-DAT3.1' (wrong magic), got "hello world"`);
    expect(() => decodeAedat(ascii('#!AER-DAT4.0\r\n'), 'v4.aedat')).toThrow('v4.aedat: AEDAT version 4.0 is not supported (this reader: 2.0 and 3.1)');
    expect(() => decodeAedat(ascii('#!AER-DAT2.0\r\n# AEChip: eu.seebetter.ini.chips.davis.Davis240C\r\n'), 'd.aedat')).toThrow(
      'd.aedat: AEDAT 2.0 from eu.seebetter.ini.chips.davis.Davis240C: only the DVS128 address layout is supported',
    );
    expect(() => decodeAedat(ascii('#!AER-DAT2.0'), 'n.aedat')).toThrow('n.aedat: truncated AEDAT header: a header line has no end of line');
  });
});

// AEDAT 3.1: little-endian packets: 28-byte header then events.
const le = (spec: [number, 16 | 32][]) => {
  const b = new Uint8Array(spec.reduce((n, [, bits]) => n + bits / 8, 0));
  const v = new DataView(b.buffer);
  let o = 0;
  for (const [x, bits] of spec) {
    if (bits === 16) v.setInt16(o, x, true);
    else v.setUint32(o, x >>> 0, true);
    o += bits / 8;
  }
  return b;
};
const packet = (type: number, overflow: number, events: [number, number][]) =>
  concat(
    le([[type, 16], [0, 16], [8, 32], [4, 32], [overflow, 32], [events.length, 32], [events.length, 32], [events.length, 32]]),
    le(events.flatMap(([d, t]) => [[d, 32], [t, 32]] as [number, 32][])),
  );
const pol = (x: number, y: number, p: number, valid = 1) => (x << 17) | (y << 2) | (p << 1) | valid;
const HEADER31 = ascii('#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 0: DVS128\r\n#Start-Time: 2016-04-01 12:00:00 (TZ+0000)\r\n#!END-HEADER\r\n');
const AEDAT31 = concat(
  HEADER31,
  packet(0, 0, [[0x1, 5]]), // a special-event packet: skipped
  packet(1, 1, [
    [pol(5, 7, 1), 100], //        t = 2^31 + 100
    [pol(9, 9, 1, 0), 150], //     invalidated: skipped
    [pol(127, 127, 0), 200],
  ]),
);

describe('AEDAT 3.1 (polarity packets)', () => {
  it('decodes polarity events, skips other packets and invalid events, adds the overflow·2^31', () => {
    const e = decodeAedat(AEDAT31, 'g.aedat');
    expect([e.width, e.height, e.count]).toEqual([128, 128, 2]);
    expect(Array.from(e.x)).toEqual([5, 127]);
    expect(Array.from(e.y)).toEqual([7, 127]);
    expect(Array.from(e.p)).toEqual([1, 0]);
    expect(Array.from(e.t)).toEqual([2 ** 31 + 100, 2 ** 31 + 200]);
  });

  it('one line per bad file', () => {
    expect(() => decodeAedat(AEDAT31.subarray(0, AEDAT31.length - 4), 'g.aedat')).toThrow(
      'g.aedat: truncated AEDAT 3.1 data: packet 1 holds 3 events of 8 bytes but the file ends 4 bytes early',
    );
    expect(() => decodeAedat(concat(HEADER31, u8(1, 0, 0)), 'g.aedat')).toThrow('g.aedat: truncated AEDAT 3.1 data: packet 0 has a 3-byte header (28 expected)');
    expect(() => decodeAedat(ascii('#!AER-DAT3.1\r\n#Source 0: DVS128\r\n'), 'h.aedat')).toThrow("h.aedat: bad AEDAT 3.1 header: no '#!END-HEADER' line");
    const odd = concat(ascii('#!AER-DAT3.1\r\n#Source 0: Prophesee\r\n#!END-HEADER\r\n'), packet(1, 0, [[pol(1, 1, 1), 1]]));
    expect(() => decodeAedat(odd, 'p.aedat')).toThrow("p.aedat: AEDAT 3.1 source 'Prophesee' is not a known sensor: pass width and height");
    expect(decodeAedat(odd, 'p.aedat', { width: 4, height: 4 }).count).toBe(1);
  });
});

describe("openEventDataset('nmnist', dir)", () => {
  it('reads Train/<digit>/*.bin and Test/<digit>/*.bin into clip image sets, balanced under a limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmnist-'));
    for (const split of ['Train', 'Test']) {
      for (let d = 0; d < 10; d++) {
        mkdirSync(join(dir, split, String(d)), { recursive: true });
        // Two recordings per digit: one ON event at (d, d) at t = 0 and t = 1000.
        for (const k of [0, 1]) {
          const s = eventStream(34, 34, { x: [d, d], y: [d, d], t: [0, 1000], p: [1, 1] });
          writeFileSync(join(dir, split, String(d), `0000${k}.bin`), encodeNmnist(s));
        }
      }
    }
    const ds = await openEventDataset('nmnist', dir, { bins: 2, limitTrain: 12 });
    expect(ds.frames).toEqual({ bins: 2, channels: 2 });
    expect([ds.train.count, ds.test.count, ds.train.height, ds.train.width, ds.train.channels]).toEqual([12, 20, 34, 34, 4]);
    // Round-robin: the first 10 are one of each digit, then digits 0 and 1 again.
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // Clip 3 (digit 3): ON at (3, 3) in frame 0 (t = 0) and frame 1 (t = 1000 = end).
    const clip = ds.train.images.subarray(3 * 34 * 34 * 4, 4 * 34 * 34 * 4);
    const p = (3 * 34 + 3) * 4;
    expect(Array.from(clip.subarray(p, p + 4))).toEqual([0, 1, 0, 1]);
    expect(clip.reduce((a, v) => a + v, 0)).toBe(2);

    await expect(openEventDataset('nmnist', join(dir, 'nope'), { bins: 2 })).rejects.toThrow(/nope\/Train: missing: nmnist needs Train\/ and Test\//);
    writeFileSync(join(dir, 'Test', '4', 'broken.bin'), u8(1, 2, 3));
    await expect(openEventDataset('nmnist', dir, { bins: 2 })).rejects.toThrow(/Test\/4\/broken\.bin: truncated N-MNIST file: 3 bytes/);
    await expect(openEventDataset('dvsgesture', dir, { bins: 2 })).rejects.toThrow('unknown event dataset "dvsgesture" (known: nmnist)');
  });

  it("loadDataset('nmnist:DIR') opens it through the registry's entry point (bins from `events`, default 10)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmnist-'));
    for (const split of ['Train', 'Test']) {
      for (let d = 0; d < 10; d++) {
        mkdirSync(join(dir, split, String(d)), { recursive: true });
        // One recording per digit: an OFF event at (d, 0) at t = 0, an ON event at (0, d) at t = 900.
        writeFileSync(join(dir, split, String(d), '00000.bin'), encodeNmnist(eventStream(34, 34, { x: [d, 0], y: [0, d], t: [0, 900], p: [0, 1] })));
      }
    }
    expect(parseEventDatasetSpec(`N-MNIST:${dir}`)).toEqual({ name: 'nmnist', path: dir });
    expect(parseEventDatasetSpec(`folder:${dir}`)).toBeUndefined();
    const ds = await loadDataset(`nmnist:${dir}`, { limitTest: 3, events: { bins: 3 } });
    const direct = await openEventDataset('nmnist', dir, { bins: 3, limitTest: 3 });
    expect(ds).toEqual(direct);
    expect([ds.train.count, ds.test.count, ds.test.channels, ds.frames]).toEqual([10, 3, 6, { bins: 3, channels: 2 }]);
    // Digit 2: OFF at (x 2, y 0) in frame 0 (channel 0), ON at (x 0, y 2) in frame 2 (channel 2·2 + 1).
    const clip = ds.test.images.subarray(2 * 34 * 34 * 6, 3 * 34 * 34 * 6);
    expect([clip[(0 * 34 + 2) * 6 + 0], clip[(2 * 34 + 0) * 6 + 5], clip.reduce((a, v) => a + v, 0)]).toEqual([1, 1, 2]);
    expect((await loadDataset(`nmnist:${dir}`)).frames).toEqual({ bins: DEFAULT_EVENT_BINS, channels: 2 });
    await expect(loadDataset('nmnist:')).rejects.toThrow('"nmnist:": give the directory that holds Train/ and Test/ after "nmnist:"');
    await expect(loadDataset(`nmnist:${dir}`, { events: { bins: 0 } })).rejects.toThrow('nmnist: bins (time bins per recording) must be a positive integer, got 0');
  });
});
