/**
 * Max, average and sum pools over windows (explicit pads, ceil mode, dilation for max), as
 * execute.ts defines them: a max ignores padding unless a window holds nothing else (then
 * −3.4e38, execute.ts's pad value); an average divides by the window's elements inside the
 * input (count_include_pad false) or inside the explicitly padded input (true); a sum counts
 * every element. A pool of listed events touches only the windows that hold them: a max of
 * spikes is an OR; sums run over the window in the same order as the dense loop, so both
 * paths agree bit for bit. The global average pool is dense.
 */
import type { NodeOf } from '../../graph.js';
import { window2d, type Window2d } from '../geometry.js';
import type { OpHandler, Value } from '../types.js';

type PoolNode = NodeOf<'avgPool' | 'maxPool' | 'sumPool'>;
const fr = Math.fround;
const PAD_MAX = -3.4e38;

export interface PoolGeometry extends Window2d {
  readonly C: number;
  readonly kind: 'max' | 'avg' | 'sum';
  /** Per output pixel: the divisor of an average (1 for max and sum). */
  readonly divisor: Float32Array;
  /** Per output pixel: the window reaches outside the input (a max then includes PAD_MAX). */
  readonly padded: Uint8Array;
  /** Every window holds an input element (the max of spikes is then their OR). */
  readonly allCovered: boolean;
  /** Windows overlap: an event may reach several outputs. */
  readonly overlapping: boolean;
  /** Without overlap: the output element of each input element (−1: in no window). */
  readonly toOut: Int32Array | null;
}

export function poolGeometry(node: PoolNode): PoolGeometry {
  const l = node.layer;
  const kind = node.op === 'maxPool' ? 'max' : node.op === 'avgPool' ? 'avg' : 'sum';
  const dil = node.op === 'maxPool' ? (node.layer.dilations ?? 1) : 1;
  const w = window2d(node.input, node.output, l.poolSize, l.strides ?? l.poolSize, dil, l.padding);
  const includePad = kind === 'avg' && node.op === 'avgPool' && node.layer.countIncludePad;
  const divisor = new Float32Array(w.Ho * w.Wo).fill(1);
  const padded = new Uint8Array(w.Ho * w.Wo);
  let allCovered = true;
  for (let oh = 0; oh < w.Ho; oh++)
    for (let ow = 0; ow < w.Wo; ow++) {
      let inside = 0;
      let inPadded = 0;
      let total = 0;
      for (let i = 0; i < w.KH; i++)
        for (let j = 0; j < w.KW; j++) {
          const ih = oh * w.SH - w.PT + i * w.DH;
          const iw = ow * w.SW - w.PL + j * w.DW;
          total++;
          if (ih >= 0 && ih < w.H && iw >= 0 && iw < w.W) inside++;
          if (ih >= -w.pads.top && ih < w.H + w.pads.bottom && iw >= -w.pads.left && iw < w.W + w.pads.right) inPadded++;
        }
      const p = oh * w.Wo + ow;
      padded[p] = inside < total ? 1 : 0;
      if (inside === 0) allCovered = false;
      if (kind === 'avg') divisor[p] = includePad ? inPadded : inside;
    }
  const [SH, SW] = [w.SH, w.SW];
  const overlapping = (w.KH - 1) * w.DH + 1 > SH || (w.KW - 1) * w.DW + 1 > SW;
  const C = node.input[2]!;
  let toOut: Int32Array | null = null;
  if (!overlapping) {
    toOut = new Int32Array(w.H * w.W * C).fill(-1);
    for (let ih = 0; ih < w.H; ih++)
      for (let iw = 0; iw < w.W; iw++)
        for (let i = 0; i < w.KH; i++)
          for (let j = 0; j < w.KW; j++) {
            const oh = w.outRow[ih * w.KH + i]!;
            const ow = w.outCol[iw * w.KW + j]!;
            if (oh >= 0 && ow >= 0) for (let c = 0; c < C; c++) toOut[(ih * w.W + iw) * C + c] = (oh * w.Wo + ow) * C + c;
          }
  }
  return { ...w, C, kind, divisor, padded, allCovered, overlapping, toOut };
}

/** y = pool(x) over one image, NHWC; y is overwritten. */
export function poolDense(x: Float32Array, y: Float32Array, g: PoolGeometry): void {
  const { H, W, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL, C, kind, divisor, padded } = g;
  for (let oh = 0; oh < Ho; oh++)
    for (let ow = 0; ow < Wo; ow++) {
      const p = oh * Wo + ow;
      for (let c = 0; c < C; c++) {
        let acc = kind === 'max' ? (padded[p] ? PAD_MAX : -Infinity) : 0;
        for (let i = 0; i < KH; i++) {
          const ih = oh * SH - PT + i * DH;
          if (ih < 0 || ih >= H) continue;
          for (let j = 0; j < KW; j++) {
            const iw = ow * SW - PL + j * DW;
            if (iw < 0 || iw >= W) continue;
            const v = x[(ih * W + iw) * C + c]!;
            acc = kind === 'max' ? (v > acc ? v : acc) : fr(acc + v);
          }
        }
        y[p * C + c] = kind === 'avg' ? acc / divisor[p]! : acc;
      }
    }
}

/**
 * y = pool(x) from x's events into a y that is zero everywhere; lists y's non-zero elements
 * (ascending: a scan of the touched range, cheaper than sorting at these densities) and
 * returns their count. Max needs binary x and every window covered (an OR).
 */
export function poolScatter(x: Float32Array, events: Int32Array, count: number, y: Float32Array, out: Int32Array, g: PoolGeometry): number {
  const range = g.toOut !== null ? (g.kind === 'max' ? orDirect(events, count, y, g.toOut) : sumDirect(x, events, count, y, g.toOut)) : scatterWindows(x, events, count, y, g);
  const lo = range & 0xffff_ffff;
  const hi = Math.floor(range / RANGE);
  if (g.kind === 'avg') for (let o = lo; o <= hi; o++) if (y[o] !== 0) y[o] = y[o]! / g.divisor[(o / g.C) | 0]!;
  return listNonZero(y, lo, hi + 1, out);
}

/** The touched range [lo, hi] packed in one number (hi · RANGE + lo): small functions, no allocation. */
const RANGE = 2 ** 32;
const packed = (lo: number, hi: number): number => (hi < lo ? 0 : hi * RANGE + lo);

function orDirect(events: Int32Array, count: number, y: Float32Array, toOut: Int32Array): number {
  let lo = y.length;
  let hi = -1;
  for (let e = 0; e < count; e++) {
    const o = toOut[events[e]!]!;
    if (o < 0) continue;
    y[o] = 1;
    if (o < lo) lo = o;
    if (o > hi) hi = o;
  }
  return packed(lo, hi);
}

function sumDirect(x: Float32Array, events: Int32Array, count: number, y: Float32Array, toOut: Int32Array): number {
  let lo = y.length;
  let hi = -1;
  for (let e = 0; e < count; e++) {
    const idx = events[e]!;
    const o = toOut[idx]!;
    if (o < 0) continue;
    y[o]! += x[idx]!;
    if (o < lo) lo = o;
    if (o > hi) hi = o;
  }
  return packed(lo, hi);
}

function scatterWindows(x: Float32Array, events: Int32Array, count: number, y: Float32Array, g: PoolGeometry): number {
  const { W, Wo, KH, KW, C, outRow, outCol } = g;
  const max = g.kind === 'max';
  let lo = y.length;
  let hi = -1;
  for (let e = 0; e < count; e++) {
    const idx = events[e]!;
    const pix = (idx / C) | 0;
    const c = idx - pix * C;
    const ih = (pix / W) | 0;
    const iw = pix - ih * W;
    const v = x[idx]!;
    for (let i = 0; i < KH; i++) {
      const oh = outRow[ih * KH + i]!;
      if (oh < 0) continue;
      for (let j = 0; j < KW; j++) {
        const ow = outCol[iw * KW + j]!;
        if (ow < 0) continue;
        const o = (oh * Wo + ow) * C + c;
        y[o] = max ? 1 : y[o]! + v;
        if (o < lo) lo = o;
        if (o > hi) hi = o;
      }
    }
  }
  return packed(lo, hi);
}

/** Lists the non-zero elements of y[lo .. hi) in `out` (ascending); a sum that cancelled to −0 becomes 0. */
export function listNonZero(y: Float32Array, lo: number, hi: number, out: Int32Array): number {
  let n = 0;
  for (let o = lo; o < hi; o++) {
    // Branch-free: store every index, advance past the non-zero ones (spike maps defeat prediction).
    const v = y[o]!;
    out[n] = o;
    n += +(v !== 0);
    y[o] = v + 0; // −0 → 0
  }
  return n;
}

/** Zero a value whose producer listed its events (or all of it when it did not). */
export function clearValue(v: Value): void {
  if (v.count < 0) v.data.fill(0);
  else for (let k = 0; k < v.count; k++) v.data[v.events[k]!] = 0;
}

function poolOp(op: PoolNode['op']): OpHandler<PoolNode> {
  return {
    op,
    compile(node, ctx) {
      const x = ctx.inputs[0]!;
      const g = poolGeometry(node);
      const out = ctx.value(node.output, x.varying);
      // SIMD for the max of spikes over windows apart (max pools of spiking CNNs): an OR by table, then a vector scan.
      const simd = g.kind === 'max' && g.toOut !== null && out.size % 4 === 0 ? ctx.simd : null;
      const toOut = simd ? ctx.arena.i32(g.toOut!.length) : null;
      toOut?.set(g.toOut!);
      return {
        path: node.path,
        output: out,
        begin: () => {
          out.data.fill(0);
          out.count = 0;
        },
        step() {
          clearValue(out);
          const events = x.count >= 0 && (g.kind !== 'max' || (x.binary && g.allCovered));
          if (events && simd) {
            simd.orPool(x.events.byteOffset, x.count, toOut!.byteOffset, out.data.byteOffset);
            out.count = simd.listNonZero(out.data.byteOffset, out.size, out.events.byteOffset);
            out.binary = true;
          } else if (events) {
            out.count = poolScatter(x.data, x.events, x.count, out.data, out.events, g);
            out.binary = g.kind === 'max';
          } else {
            poolDense(x.data, out.data, g);
            out.count = -1;
            out.binary = false;
          }
        },
      };
    },
  };
}

export const maxPoolOp = poolOp('maxPool');
export const avgPoolOp = poolOp('avgPool');
export const sumPoolOp = poolOp('sumPool');

/** Mean over height and width, per channel (dense). */
export const globalAvgPoolOp: OpHandler<NodeOf<'globalAvgPool'>> = {
  op: 'globalAvgPool',
  compile(node, ctx) {
    const x = ctx.inputs[0]!;
    const [H, W, C] = node.input as [number, number, number];
    const out = ctx.value(node.output, x.varying);
    return {
      path: node.path,
      output: out,
      step() {
        const y = out.data;
        y.fill(0);
        for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) y[c]! += x.data[p * C + c]!;
        for (let c = 0; c < C; c++) y[c] = y[c]! / (H * W);
        out.count = -1;
        out.binary = false;
      },
    };
  },
};
