/**
 * Where the runtime's event-driven kernels stop paying: per layer shape of the shipped CNN
 * (fmnist-cnn-bn) and per input kind (spikes, analog values), the time of one call of the
 * SIMD scatter and of the SIMD dense kernel at input densities from 1 % to 100 %, and the
 * crossover (the lowest density from which dense is as fast; null: event-driven wins even at 100 %).
 * One JSON line per shape:
 *   npx tsx --conditions source src/bench/runtime-crossover.ts   (or node dist/bench/runtime-crossover.js)
 * RUNTIME_CROSSOVER (runtime/compile.ts) is set from its output.
 */
import { createRng } from '@spikelite/engine';
import { Arena } from '../runtime/arena.js';
import { window2d } from '../runtime/geometry.js';
import { arenaTable } from '../runtime/ops/conv2d.js';
import { runtimeSimdFor, scatterTable } from '../runtime/simd.js';

const DENSITIES = [0.01, 0.03, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

interface Shape {
  name: string;
  op: 'conv2d' | 'linear';
  input: [number, number, number];
  output: [number, number];
  k: number;
  Co: number;
}

const SHAPES: Shape[] = [
  { name: 'conv 28×28×1 → 16, 3×3', op: 'conv2d', input: [28, 28, 1], output: [28, 28], k: 3, Co: 16 },
  { name: 'conv 14×14×16 → 32, 3×3', op: 'conv2d', input: [14, 14, 16], output: [14, 14], k: 3, Co: 32 },
  { name: 'linear 1568 → 128', op: 'linear', input: [1, 1, 1568], output: [1, 1], k: 1, Co: 128 },
];

/** ms per call: the fastest of 7 rounds of ≥ 15 ms (the machine is shared: the minimum is the least disturbed). */
function timeMs(f: () => void): number {
  f();
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 15) {
      f();
      n++;
    }
    best = Math.min(best, (performance.now() - t0) / n);
  }
  return best;
}

for (const s of SHAPES) {
  const g = window2d(s.input, s.output, s.k, 1, 1, 'same');
  const [H, W, C] = s.input;
  const size = H * W * C;
  const out = s.output[0] * s.output[1] * s.Co;
  const wSize = s.k * s.k * C * s.Co;
  const arena = Arena.ofSize(4 * (3 * size + out + wSize + 3 * H * W * s.k * s.k) + 4096);
  const simd = runtimeSimdFor(arena.memory);
  if (simd === null) throw new Error('runtime-crossover: no WebAssembly SIMD here');
  const [x, ev, w, y] = [arena.f32(size), arena.i32(size), arena.f32(wSize), arena.f32(out)];
  const table = arenaTable(arena, scatterTable(g, C, s.Co));
  const rng = createRng(1);
  for (let i = 0; i < wSize; i++) w[i] = rng.next() - 0.5;
  const rowsFor = [x.byteOffset, w.byteOffset, y.byteOffset, H, W, C, s.Co, s.output[0], s.output[1], s.k, s.k, 1, 1, 1, 1, g.PT, g.PL];
  const rows2 = [table.start.byteOffset, table.taps.byteOffset, C, s.Co];
  const result: Record<string, unknown> = { bench: 'runtime-crossover', shape: s.name, op: s.op };
  for (const binary of [true, false]) {
    const points: Array<{ density: number; scatter_ms: number; dense_ms: number }> = [];
    for (const density of DENSITIES) {
      let n = 0;
      x.fill(0);
      for (let i = 0; i < size; i++)
        if (rng.next() < density) {
          x[i] = binary ? 1 : rng.next() + 0.01;
          ev[n++] = i;
        }
      const scatter = timeMs(() => {
        y.fill(0);
        simd.scatter(ev.byteOffset, n, binary ? 0 : x.byteOffset, w.byteOffset, y.byteOffset, ...rows2);
      });
      const dense = timeMs(() => {
        y.fill(0);
        simd.dense(...rowsFor);
      });
      points.push({ density, scatter_ms: +scatter.toFixed(4), dense_ms: +dense.toFixed(4) });
    }
    // The lowest density from which dense is never slower (noise can make one point flip).
    let cross: number | null = null;
    for (let k = points.length - 1; k >= 0 && points[k]!.dense_ms <= points[k]!.scatter_ms; k--) cross = points[k]!.density;
    result[binary ? 'spikes' : 'values'] = { crossover: cross, points };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
