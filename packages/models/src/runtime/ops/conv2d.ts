/**
 * conv2d: dense, or a scatter of weight rows per input event. Both sum each output over
 * (tap row, tap column, input channel) in that order, so on the same input they agree bit for
 * bit (a dense 0·w adds an exact zero). HWIO weights with I = input channels per group.
 */
import type { NodeOf } from '../../graph.js';
import { window2d, type Window2d } from '../geometry.js';
import type { Arena } from '../arena.js';
import { scatterTable } from '../simd.js';
import { useSparse, type LayerKernelStats, type OpHandler, type Value } from '../types.js';

export interface ConvGeometry extends Window2d {
  readonly C: number;
  readonly Co: number;
  readonly groups: number;
}

/** y = conv(x, w) over one image, NHWC; y is overwritten. */
export function convDense(x: Float32Array, w: Float32Array, y: Float32Array, g: ConvGeometry): void {
  const { H, W, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL, C, Co, groups } = g;
  const Cg = C / groups;
  const Cog = Co / groups;
  y.fill(0);
  for (let oh = 0; oh < Ho; oh++)
    for (let ow = 0; ow < Wo; ow++) {
      const yo = (oh * Wo + ow) * Co;
      for (let i = 0; i < KH; i++) {
        const ih = oh * SH - PT + i * DH;
        if (ih < 0 || ih >= H) continue;
        for (let j = 0; j < KW; j++) {
          const iw = ow * SW - PL + j * DW;
          if (iw < 0 || iw >= W) continue;
          const xo = (ih * W + iw) * C;
          const tap = (i * KW + j) * Cg;
          for (let c = 0; c < C; c++) {
            const v = x[xo + c]!;
            const grp = (c / Cg) | 0;
            const wo = (tap + c - grp * Cg) * Co + grp * Cog;
            const yg = yo + grp * Cog;
            for (let k = 0; k < Cog; k++) y[yg + k]! += v * w[wo + k]!;
          }
        }
      }
    }
}

/**
 * y = conv(x, w) from x's events (ascending flat NHWC indices): each event adds its weight
 * rows to the outputs whose windows cover it. `values` null: binary events (no multiply).
 */
export function convScatter(events: Int32Array, count: number, values: Float32Array | null, w: Float32Array, y: Float32Array, g: ConvGeometry): void {
  const { W, Wo, KH, KW, C, Co, groups, outRow, outCol } = g;
  const Cg = C / groups;
  const Cog = Co / groups;
  y.fill(0);
  for (let e = 0; e < count; e++) {
    const idx = events[e]!;
    const pix = (idx / C) | 0;
    const c = idx - pix * C;
    const ih = (pix / W) | 0;
    const iw = pix - ih * W;
    const grp = (c / Cg) | 0;
    const v = values === null ? 1 : values[idx]!;
    for (let i = 0; i < KH; i++) {
      const oh = outRow[ih * KH + i]!;
      if (oh < 0) continue;
      for (let j = 0; j < KW; j++) {
        const ow = outCol[iw * KW + j]!;
        if (ow < 0) continue;
        const yo = (oh * Wo + ow) * Co + grp * Cog;
        const wo = ((i * KW + j) * Cg + c - grp * Cg) * Co + grp * Cog;
        if (values === null) for (let k = 0; k < Cog; k++) y[yo + k]! += w[wo + k]!;
        else for (let k = 0; k < Cog; k++) y[yo + k]! += v * w[wo + k]!;
      }
    }
  }
}

/** y += bias per channel (after the sum, as tfjs adds it). */
export function addChannelBias(y: Float32Array, bias: Float32Array): void {
  const C = bias.length;
  for (let o = 0; o < y.length; o += C) for (let c = 0; c < C; c++) y[o + c]! += bias[c]!;
}

/** The events of an unlisted value (forced 'sparse' on analog input), into `out`. */
function listEvents(x: Float32Array, out: Int32Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) out[n++] = i;
  return n;
}

/** Adds x's events and elements to the layer's statistics when its producer counted them. */
export function countInput(stats: LayerKernelStats, x: Value): void {
  if (x.count < 0) return;
  stats.events += x.count;
  stats.elements += x.size;
}

/** x's events: listed by its producer, or found by a scan into `scratch`. */
export function eventsOf(x: Value, scratch: Int32Array): { events: Int32Array; n: number } {
  return x.count >= 0 ? { events: x.events, n: x.count } : { events: scratch, n: listEvents(x.data, scratch) };
}

/** A scatter table copied into the arena (the SIMD kernel reads it there). */
export function arenaTable(arena: Arena, t: { start: Int32Array; taps: Int32Array }): { start: Int32Array; taps: Int32Array } {
  const start = arena.i32(t.start.length);
  const taps = arena.i32(Math.max(t.taps.length, 1));
  start.set(t.start);
  taps.set(t.taps);
  return { start, taps };
}

export function convGeometry(node: NodeOf<'conv2d'>): ConvGeometry {
  const l = node.layer;
  return {
    ...window2d(node.input, node.output, l.kernelSize, l.strides, l.dilations, l.padding),
    C: node.input[2]!,
    Co: l.filters,
    groups: l.groups,
  };
}

export const conv2dOp: OpHandler<NodeOf<'conv2d'>> = {
  op: 'conv2d',
  compile(node, ctx) {
    const x = ctx.inputs[0]!;
    const g = convGeometry(node);
    const w = ctx.param(node.kernel);
    const bias = node.bias === null ? null : ctx.param(node.bias);
    const out = ctx.value(node.output, x.varying);
    const stats = ctx.stats(node);
    const scratch = ctx.arena.i32(x.size);
    // SIMD: 4 output channels a lane group, one group of channels (the JavaScript loops otherwise).
    const simd = g.groups === 1 && g.Co % 4 === 0 ? ctx.simd : null;
    const table = simd ? arenaTable(ctx.arena, scatterTable(g, g.C, g.Co)) : null;
    return {
      path: node.path,
      output: out,
      step() {
        countInput(stats, x);
        const y = out.data;
        if (useSparse(ctx.kernels, 'conv2d', x)) {
          stats.sparseSteps++;
          const { events, n } = eventsOf(x, scratch);
          if (simd) {
            y.fill(0);
            simd.scatter(events.byteOffset, n, x.binary ? 0 : x.data.byteOffset, w.byteOffset, y.byteOffset, table!.start.byteOffset, table!.taps.byteOffset, g.C, g.Co);
          } else convScatter(events, n, x.binary ? null : x.data, w, y, g);
        } else {
          stats.denseSteps++;
          if (simd) {
            y.fill(0);
            simd.dense(x.data.byteOffset, w.byteOffset, y.byteOffset, g.H, g.W, g.C, g.Co, g.Ho, g.Wo, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.PT, g.PL);
          } else convDense(x.data, w, y, g);
        }
        if (bias !== null) {
          if (simd) simd.addBias(y.byteOffset, bias.byteOffset, g.Ho * g.Wo, g.Co);
          else addChannelBias(y, bias);
        }
      },
    };
  },
};
