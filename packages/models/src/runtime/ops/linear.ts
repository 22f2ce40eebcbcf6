/**
 * linear: dense, or a scatter of weight rows per input event. Both sum each output over the
 * inputs in ascending order, so on the same input they agree bit for bit. Kernel [in, out];
 * an input of rank > 1 is a batch of rows (the layer acts on the last axis).
 */
import type { NodeOf } from '../../graph.js';
import { useSparse, type OpHandler } from '../types.js';
import { scatterTable } from '../simd.js';
import { addChannelBias, arenaTable, countInput, eventsOf } from './conv2d.js';

/** y[r, :] = x[r, :] · w for every row r of x (rows of `inputs` elements); y is overwritten. */
export function linearDense(x: Float32Array, w: Float32Array, y: Float32Array, inputs: number, units: number): void {
  y.fill(0);
  for (let xo = 0, yo = 0; xo < x.length; xo += inputs, yo += units)
    for (let c = 0; c < inputs; c++) {
      const v = x[xo + c]!;
      const wo = c * units;
      for (let k = 0; k < units; k++) y[yo + k]! += v * w[wo + k]!;
    }
}

/** The same from x's events (ascending); `values` null: binary events (no multiply). */
export function linearScatter(events: Int32Array, count: number, values: Float32Array | null, w: Float32Array, y: Float32Array, inputs: number, units: number): void {
  y.fill(0);
  for (let e = 0; e < count; e++) {
    const idx = events[e]!;
    const r = (idx / inputs) | 0;
    const wo = (idx - r * inputs) * units;
    const yo = r * units;
    if (values === null) for (let k = 0; k < units; k++) y[yo + k]! += w[wo + k]!;
    else {
      const v = values[idx]!;
      for (let k = 0; k < units; k++) y[yo + k]! += v * w[wo + k]!;
    }
  }
}

/** The scatter table of a linear layer: `rows` pixels of one column, a 1×1 window. */
export function linearTable(rows: number, inputs: number, units: number): { start: Int32Array; taps: Int32Array } {
  const ids = Int32Array.from({ length: rows }, (_, r) => r);
  return scatterTable({ H: rows, W: 1, Wo: 1, KH: 1, KW: 1, outRow: ids, outCol: new Int32Array([0]) }, inputs, units);
}

export const linearOp: OpHandler<NodeOf<'linear'>> = {
  op: 'linear',
  compile(node, ctx) {
    const x = ctx.inputs[0]!;
    const inputs = node.input[node.input.length - 1]!;
    const units = node.layer.units;
    const rowsIn = x.size / inputs;
    const w = ctx.param(node.kernel);
    const bias = node.bias === null ? null : ctx.param(node.bias);
    const out = ctx.value(node.output, x.varying);
    const stats = ctx.stats(node);
    const scratch = ctx.arena.i32(x.size);
    // SIMD: a 1×1 convolution over `rowsIn` rows of one column: row r's one tap writes output row r.
    const simd = units % 4 === 0 ? ctx.simd : null;
    const table = simd ? arenaTable(ctx.arena, linearTable(rowsIn, inputs, units)) : null;
    return {
      path: node.path,
      output: out,
      step() {
        countInput(stats, x);
        const y = out.data;
        if (useSparse(ctx.kernels, 'linear', x)) {
          stats.sparseSteps++;
          const { events, n } = eventsOf(x, scratch);
          if (simd) {
            y.fill(0);
            simd.scatter(events.byteOffset, n, x.binary ? 0 : x.data.byteOffset, w.byteOffset, y.byteOffset, table!.start.byteOffset, table!.taps.byteOffset, inputs, units);
          } else linearScatter(events, n, x.binary ? null : x.data, w, y, inputs, units);
        } else {
          stats.denseSteps++;
          if (simd) {
            y.fill(0);
            simd.dense(x.data.byteOffset, w.byteOffset, y.byteOffset, rowsIn, 1, inputs, units, rowsIn, 1, 1, 1, 1, 1, 1, 1, 0, 0);
          } else linearDense(x.data, w, y, inputs, units);
        }
        if (bias !== null) {
          if (simd) simd.addBias(y.byteOffset, bias.byteOffset, rowsIn, units);
          else addChannelBias(y, bias);
        }
      },
    };
  },
};
