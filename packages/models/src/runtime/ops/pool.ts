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
 * y = pool(x) from x's events into a y that is zero everywhere; lists y's events (ascending)
 * and returns their count. Max needs binary x and every window covered (an OR).
 */
export function poolScatter(x: Float32Array, events: Int32Array, count: number, y: Float32Array, out: Int32Array, seen: Uint8Array, g: PoolGeometry): number {
  const { W, Wo, KH, KW, C, kind, divisor, outRow, outCol, toOut } = g;
  let n = 0;
  let sorted = true;
  const max = kind === 'max';
  if (toOut !== null) {
    // One window per element at most: a lookup per event.
    for (let e = 0; e < count; e++) {
      const idx = events[e]!;
      const o = toOut[idx]!;
      if (o < 0) continue;
      if (seen[o] === 0) {
        seen[o] = 1;
        if (n > 0 && o < out[n - 1]!) sorted = false;
        out[n++] = o;
      }
      if (max) y[o] = 1;
      else y[o]! += x[idx]!;
    }
  } else for (let e = 0; e < count; e++) {
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
        if (seen[o] === 0) {
          seen[o] = 1;
          if (n > 0 && o < out[n - 1]!) sorted = false;
          out[n++] = o;
        }
        if (max) y[o] = 1;
        else y[o]! += v;
      }
    }
  }
  for (let k = 0; k < n; k++) seen[out[k]!] = 0;
  // A sum of values may cancel to 0: keep only the non-zero outputs listed.
  if (kind !== 'max') {
    let m = 0;
    for (let k = 0; k < n; k++) {
      const o = out[k]!;
      if (kind === 'avg') y[o] = y[o]! / divisor[(o / C) | 0]!;
      if (y[o] !== 0) out[m++] = o;
      else y[o] = 0; // −0 → 0
    }
    n = m;
  }
  // Listed events stay ascending (consumers sum in index order, as the dense loops do).
  if (!sorted) out.subarray(0, n).sort();
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
      const seen = new Uint8Array(out.size);
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
          if (events) {
            out.count = poolScatter(x.data, x.events, x.count, out.data, out.events, seen, g);
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
