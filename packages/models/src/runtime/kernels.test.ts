/**
 * The runtime's kernels: event-driven equals dense, bit for bit, on random spike maps and
 * valued maps from 0 to 100 % density, in JavaScript and WebAssembly SIMD; both equal a
 * float64 convolution written out here (to float32 rounding); the SIMD single-spike step
 * equals the JavaScript one.
 */
import { createRng } from '@spikelite/engine';
import { describe, expect, it } from 'vitest';
import { Arena } from './arena.js';
import { lifStepArrays } from './neurons/lif.js';
import { singleSpikeStepArrays } from './neurons/single-spike.js';
import { arenaTable, convDense, convScatter, type ConvGeometry } from './ops/conv2d.js';
import { linearDense, linearScatter, linearTable } from './ops/linear.js';
import { poolDense, poolGeometry, poolScatter } from './ops/pool.js';
import { window2d } from './geometry.js';
import { lifKernel, runtimeSimdFor, scatterTable, singleSpikeKernel } from './simd.js';

const DENSITIES = [0, 0.01, 0.1, 0.3, 0.6, 0.9, 1];

function map(size: number, density: number, binary: boolean, seed: number): { x: Float32Array; events: Int32Array; count: number } {
  const rng = createRng(seed);
  const x = new Float32Array(size);
  const events = new Int32Array(size);
  let count = 0;
  for (let i = 0; i < size; i++) {
    if (rng.next() >= density) continue;
    x[i] = binary ? 1 : rng.next() * 2 - 0.5 || 0.25;
    events[count++] = i;
  }
  return { x, events, count };
}

/** conv in float64, written out from the definition (HWIO, groups). */
function conv64(x: Float32Array, w: Float32Array, g: ConvGeometry): Float64Array {
  const y = new Float64Array(g.Ho * g.Wo * g.Co);
  const Cg = g.C / g.groups;
  const Cog = g.Co / g.groups;
  for (let oh = 0; oh < g.Ho; oh++)
    for (let ow = 0; ow < g.Wo; ow++)
      for (let co = 0; co < g.Co; co++) {
        const grp = Math.floor(co / Cog);
        let s = 0;
        for (let i = 0; i < g.KH; i++)
          for (let j = 0; j < g.KW; j++) {
            const ih = oh * g.SH - g.PT + i * g.DH;
            const iw = ow * g.SW - g.PL + j * g.DW;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            for (let ci = 0; ci < Cg; ci++) s += x[(ih * g.W + iw) * g.C + grp * Cg + ci]! * w[((i * g.KW + j) * Cg + ci) * g.Co + co]!;
          }
        y[(oh * g.Wo + ow) * g.Co + co] = s;
      }
  return y;
}

const GEOMETRIES: Array<{ name: string; input: [number, number, number]; output: [number, number]; k: number; s: number; d: number; pad: 'same' | 'valid' | { top: number; bottom: number; left: number; right: number }; Co: number; groups: number }> = [
  { name: '3×3 same, 8 → 16', input: [9, 9, 8], output: [9, 9], k: 3, s: 1, d: 1, pad: 'same', Co: 16, groups: 1 },
  { name: '3×3 stride 2, explicit pads, 5 → 12', input: [9, 8, 5], output: [5, 4], k: 3, s: 2, d: 1, pad: { top: 1, bottom: 1, left: 1, right: 0 }, Co: 12, groups: 1 },
  { name: '3×3 dilation 2 valid, 3 → 8', input: [9, 9, 3], output: [5, 5], k: 3, s: 1, d: 2, pad: 'valid', Co: 8, groups: 1 },
  { name: '3×3 same, 4 → 6 in 2 groups (JavaScript only)', input: [6, 6, 4], output: [6, 6], k: 3, s: 1, d: 1, pad: 'same', Co: 6, groups: 2 },
];

describe('conv2d kernels: event-driven = dense, JavaScript and SIMD', () => {
  for (const geo of GEOMETRIES) {
    it(geo.name, () => {
      const g: ConvGeometry = { ...window2d(geo.input, geo.output, geo.k, geo.s, geo.d, geo.pad), C: geo.input[2], Co: geo.Co, groups: geo.groups };
      const size = geo.input[0] * geo.input[1] * geo.input[2];
      const outSize = geo.output[0] * geo.output[1] * geo.Co;
      const wSize = geo.k * geo.k * (geo.input[2] / geo.groups) * geo.Co;
      const rng = createRng(5);
      const w = Float32Array.from({ length: wSize }, () => rng.next() * 2 - 1);
      const arena = Arena.ofSize(4 * (3 * size + 2 * outSize + wSize + 3 * size * geo.k * geo.k) + 4096);
      const simd = geo.groups === 1 ? runtimeSimdFor(arena.memory) : null;
      if (geo.groups === 1) expect(simd).not.toBeNull(); // Node has wasm SIMD: the SIMD path is tested, not skipped
      const [xs, evs, ws, ya, yb] = [arena.f32(size), arena.i32(size), arena.f32(wSize), arena.f32(outSize), arena.f32(outSize)];
      const table = arenaTable(arena, scatterTable(g, g.C, g.Co));
      ws.set(w);
      for (const binary of [true, false])
        for (const density of DENSITIES) {
          const m = map(size, density, binary, Math.round(density * 1000) + (binary ? 1 : 2));
          const dense = new Float32Array(outSize);
          const sparse = new Float32Array(outSize);
          convDense(m.x, w, dense, g);
          convScatter(m.events, m.count, binary ? null : m.x, w, sparse, g);
          expect(sparse, `${binary ? 'spikes' : 'values'} at ${density}`).toEqual(dense);
          const ref = conv64(m.x, w, g);
          dense.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]!))));
          if (simd === null) continue;
          xs.set(m.x);
          evs.set(m.events);
          ya.fill(0);
          yb.fill(0);
          simd.dense(xs.byteOffset, ws.byteOffset, ya.byteOffset, g.H, g.W, g.C, g.Co, g.Ho, g.Wo, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.PT, g.PL);
          simd.scatter(evs.byteOffset, m.count, binary ? 0 : xs.byteOffset, ws.byteOffset, yb.byteOffset, table.start.byteOffset, table.taps.byteOffset, g.C, g.Co);
          expect(Array.from(yb), `SIMD ${binary ? 'spikes' : 'values'} at ${density}`).toEqual(Array.from(ya));
          ya.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]!))));
        }
    });
  }
});

describe('linear kernels: event-driven = dense', () => {
  it('2 rows of 37 inputs → 12 units, JavaScript and SIMD', () => {
    const [rowsIn, inputs, units] = [2, 37, 12];
    const rng = createRng(9);
    const w = Float32Array.from({ length: inputs * units }, () => rng.next() * 2 - 1);
    const arena = Arena.ofSize(4 * (3 * rowsIn * inputs + 2 * rowsIn * units + inputs * units + 8) + 1024);
    const simd = runtimeSimdFor(arena.memory)!;
    const [xs, evs, ws, ya, yb] = [arena.f32(rowsIn * inputs), arena.i32(rowsIn * inputs), arena.f32(inputs * units), arena.f32(rowsIn * units), arena.f32(rowsIn * units)];
    const table = arenaTable(arena, linearTable(rowsIn, inputs, units));
    ws.set(w);
    for (const binary of [true, false])
      for (const density of DENSITIES) {
        const m = map(rowsIn * inputs, density, binary, 77 + Math.round(density * 100));
        const dense = new Float32Array(rowsIn * units);
        const sparse = new Float32Array(rowsIn * units);
        linearDense(m.x, w, dense, inputs, units);
        linearScatter(m.events, m.count, binary ? null : m.x, w, sparse, inputs, units);
        expect(sparse).toEqual(dense);
        for (let r = 0; r < rowsIn; r++)
          for (let u = 0; u < units; u++) {
            let s = 0;
            for (let c = 0; c < inputs; c++) s += m.x[r * inputs + c]! * w[c * units + u]!;
            expect(Math.abs(dense[r * units + u]! - s)).toBeLessThan(1e-5 * (1 + Math.abs(s)));
          }
        xs.set(m.x);
        evs.set(m.events);
        ya.fill(0);
        yb.fill(0);
        simd.dense(xs.byteOffset, ws.byteOffset, ya.byteOffset, rowsIn, 1, inputs, units, rowsIn, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        simd.scatter(evs.byteOffset, m.count, binary ? 0 : xs.byteOffset, ws.byteOffset, yb.byteOffset, table.start.byteOffset, table.taps.byteOffset, inputs, units);
        expect(Array.from(yb)).toEqual(Array.from(ya));
        ya.forEach((v, i) => expect(Math.abs(v - dense[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(dense[i]!))));
      }
  });
});

describe('pool kernels: event-driven = dense', () => {
  const cases = [
    { op: 'maxPool', layer: { kind: 'maxPool', poolSize: 2, padding: 'valid', ceilMode: false }, input: [8, 8, 3], output: [4, 4, 3] },
    { op: 'maxPool', layer: { kind: 'maxPool', poolSize: 3, strides: 2, padding: 'same', ceilMode: false }, input: [7, 7, 2], output: [4, 4, 2] },
    { op: 'avgPool', layer: { kind: 'avgPool', poolSize: 2, strides: 1, padding: 'valid', ceilMode: false, countIncludePad: false }, input: [6, 6, 2], output: [5, 5, 2] },
    { op: 'avgPool', layer: { kind: 'avgPool', poolSize: 3, strides: 2, padding: { top: 1, bottom: 1, left: 1, right: 1 }, ceilMode: true, countIncludePad: true }, input: [6, 6, 2], output: [4, 4, 2] },
    { op: 'sumPool', layer: { kind: 'sumPool', poolSize: 2, padding: 'valid', ceilMode: false }, input: [6, 6, 2], output: [3, 3, 2] },
  ];
  for (const c of cases) {
    it(`${c.op} ${JSON.stringify(c.layer.padding)} ${c.input.join('×')} → ${c.output.join('×')}`, () => {
      const g = poolGeometry(c as never);
      const size = c.input.reduce((a, b) => a * b, 1);
      const outSize = c.output.reduce((a, b) => a * b, 1);
      for (const binary of c.op === 'maxPool' ? [true] : [true, false])
        for (const density of DENSITIES) {
          const m = map(size, density, binary, 300 + Math.round(density * 100));
          const dense = new Float32Array(outSize);
          const sparse = new Float32Array(outSize);
          const listed = new Int32Array(outSize);
          poolDense(m.x, dense, g);
          const n = poolScatter(m.x, m.events, m.count, sparse, listed, g);
          expect(sparse).toEqual(dense);
          // The listed outputs are exactly the non-zero ones, ascending.
          const nonZero = Array.from(dense.keys()).filter((i) => dense[i] !== 0);
          expect(Array.from(listed.subarray(0, n))).toEqual(nonZero);
          if (g.kind !== 'max' || g.toOut === null) continue;
          // The SIMD OR of spikes over windows apart, and its listing.
          const arena = Arena.ofSize(4 * (3 * size + 2 * outSize) + 1024);
          const simd = runtimeSimdFor(arena.memory)!;
          const [evs, to, y, out] = [arena.i32(size), arena.i32(size), arena.f32(outSize), arena.i32(outSize)];
          evs.set(m.events);
          to.set(g.toOut);
          simd.orPool(evs.byteOffset, m.count, to.byteOffset, y.byteOffset);
          expect(Array.from(y)).toEqual(Array.from(dense));
          const k = simd.listNonZero(y.byteOffset, outSize, out.byteOffset);
          expect(Array.from(out.subarray(0, k))).toEqual(nonZero);
        }
    });
  }
});

describe('single-spike step: SIMD = JavaScript', () => {
  it('spikes, events and potentials over 5 steps, reset and freeze, λ 0.9 and 1', () => {
    const n = 64;
    for (const [freeze, lam] of [[false, 0.9], [true, 0.9], [false, 1], [true, 1]] as const) {
      const arena = Arena.ofSize(4 * 12 * n + 1024);
      const simd = runtimeSimdFor(arena.memory)!;
      const [I, U, F, S, E] = [arena.f32(n), arena.f32(n), arena.f32(n), arena.f32(n), arena.i32(n)];
      const [U2, F2, S2, E2] = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Int32Array(n)];
      const rng = createRng(freeze ? 3 : lam === 1 ? 5 : 4);
      let fired = 0;
      for (let t = 0; t < 5; t++) {
        for (let i = 0; i < n; i++) I[i] = rng.next() * 0.8 - 0.1;
        const a = singleSpikeKernel(simd, freeze, lam)(I.byteOffset, U.byteOffset, F.byteOffset, S.byteOffset, E.byteOffset, n, lam, 0.7);
        // λ and θ are float32 parameters (the layer holds them so); the SIMD call rounds its f32 arguments.
        const b = singleSpikeStepArrays(I, U2, F2, S2, E2, Math.fround(lam), Math.fround(0.7), { freeze, normalized: true });
        expect(a).toBe(b);
        expect(Array.from(E.subarray(0, a))).toEqual(Array.from(E2.subarray(0, b)));
        expect(Array.from(S)).toEqual(Array.from(S2));
        expect(Array.from(F)).toEqual(Array.from(F2));
        // Potentials of neurons that have not fired agree (the JavaScript loop skips fired ones).
        for (let i = 0; i < n; i++) if (F2[i] === 0 || freeze) expect(U[i]).toBe(U2[i]);
        fired += b;
      }
      expect(fired).toBeGreaterThan(n / 4);
      expect(fired).toBeLessThan(n);
    }
  });
});

describe('IF/LIF step: SIMD = JavaScript', () => {
  it('both orders and resets, per-channel λ and θ, 5 steps', () => {
    const [pixels, C] = [9, 8];
    const n = pixels * C;
    for (const current of [true, false])
      for (const hard of [false, true]) {
        const arena = Arena.ofSize(4 * 12 * n + 1024);
        const simd = runtimeSimdFor(arena.memory)!;
        const rng = createRng(current ? (hard ? 11 : 12) : hard ? 13 : 14);
        const lam = Float32Array.from({ length: C }, () => 0.7 + 0.3 * rng.next());
        const th = Float32Array.from({ length: C }, () => 0.3 + 0.5 * rng.next());
        const [I, U, S, E, L, T] = [arena.f32(n), arena.f32(n), arena.f32(n), arena.i32(n), arena.f32(C), arena.f32(C)];
        L.set(lam);
        T.set(th);
        const [U2, S2, E2] = [new Float32Array(n), new Float32Array(n), new Int32Array(n)];
        let spikes = 0;
        for (let t = 0; t < 5; t++) {
          for (let i = 0; i < n; i++) I[i] = rng.next() * 0.8 - 0.2;
          const a = lifKernel(simd, current, hard)(I.byteOffset, U.byteOffset, S.byteOffset, E.byteOffset, pixels, C, L.byteOffset, T.byteOffset);
          const b = lifStepArrays(I, U2, S2, E2, lam, th, { current, hard, normalized: true });
          expect(a).toBe(b);
          expect(Array.from(E.subarray(0, a))).toEqual(Array.from(E2.subarray(0, b)));
          expect(Array.from(S)).toEqual(Array.from(S2));
          expect(Array.from(U)).toEqual(Array.from(U2));
          spikes += b;
        }
        expect(spikes).toBeGreaterThan(n / 2);
        expect(spikes).toBeLessThan(4 * n);
      }
  });
});
