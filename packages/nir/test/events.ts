/**
 * Synthetic N-MNIST-like recordings for the tests: a digit-like stroke pattern on the 34×34
 * sensor moved along three saccades (as the N-MNIST camera moved), ON events where the
 * pattern arrives, OFF events where it leaves, plus sparse noise; timestamps in µs over about
 * 300 ms, written in the N-MNIST binary layout by @spikelite/data's encoder.
 */
import { encodeNmnist, eventStream } from '@spikelite/data';

const SIZE = 34;

/** Stroke pixels of a '7' (seed 0) or a '4' (seed 1) inside a 28×28 box. */
function glyph(seed: number): Array<[number, number]> {
  const px: Array<[number, number]> = [];
  const line = (x0: number, y0: number, x1: number, y1: number) => {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0));
    for (let i = 0; i <= n; i++) {
      const x = Math.round(x0 + ((x1 - x0) * i) / n);
      const y = Math.round(y0 + ((y1 - y0) * i) / n);
      for (const d of [0, 1]) px.push([x + d, y], [x, y + d]);
    }
  };
  if (seed % 2 === 0) {
    line(6, 6, 22, 6);
    line(22, 6, 12, 24);
  } else {
    line(8, 4, 6, 16);
    line(6, 16, 22, 16);
    line(18, 6, 18, 26);
  }
  return px;
}

/** The bytes of one synthetic recording (N-MNIST binary, 5 bytes per event). */
export function syntheticNmnist(seed: number): Uint8Array {
  let s = seed * 7919 + 17;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const shape = glyph(seed);
  // Three saccades, 100 ms each, 20 positions per saccade.
  const path: Array<[number, number]> = [];
  const corners: Array<[number, number]> = [[0, 0], [4, 3], [-1, 5], [0, 0]];
  for (let k = 0; k < 3; k++) {
    const [ax, ay] = corners[k]!;
    const [bx, by] = corners[k + 1]!;
    for (let i = 0; i < 20; i++) path.push([Math.round(ax + ((bx - ax) * i) / 20), Math.round(ay + ((by - ay) * i) / 20)]);
  }
  const key = (x: number, y: number) => y * SIZE + x;
  const maskAt = ([ox, oy]: [number, number]) => new Set(shape.map(([x, y]) => [x + ox + 2, y + oy + 2]).filter(([x, y]) => x! >= 0 && x! < SIZE && y! >= 0 && y! < SIZE).map(([x, y]) => key(x!, y!)));
  const events: { x: number[]; y: number[]; t: number[]; p: number[] } = { x: [], y: [], t: [], p: [] };
  const push = (k: number, t: number, p: number) => {
    events.x.push(k % SIZE);
    events.y.push(Math.floor(k / SIZE));
    events.t.push(t);
    events.p.push(p);
  };
  let before = new Set<number>();
  path.forEach((offset, step) => {
    const now = maskAt(offset);
    const base = step * 5000;
    const batch: Array<[number, number, number]> = [];
    for (const k of now) if (!before.has(k)) batch.push([k, base + Math.floor(rand() * 4000), 1]);
    for (const k of before) if (!now.has(k)) batch.push([k, base + Math.floor(rand() * 4000), 0]);
    for (let i = 0; i < 6; i++) batch.push([Math.floor(rand() * SIZE * SIZE), base + Math.floor(rand() * 5000), rand() < 0.5 ? 1 : 0]);
    batch.sort((a, b) => a[1] - b[1]);
    for (const [k, t, p] of batch) push(k, t, p);
    before = now;
  });
  return encodeNmnist(eventStream(SIZE, SIZE, events));
}
