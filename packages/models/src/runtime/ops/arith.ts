/**
 * Element-wise ops: `add` of two values of one shape (residual merges; listed events are
 * merged, so a sum of spike maps stays event-driven downstream) and `affine` (normalisation
 * inserts: x·scale + bias, broadcast as tfjs does). A scale alone keeps the events; a bias
 * makes the value analog.
 */
import { shapeSize, type NodeOf } from '../../graph.js';
import { RuntimeUnsupportedError, type OpHandler } from '../types.js';
import { clearValue } from './pool.js';

export const addOp: OpHandler<NodeOf<'add' | 'sub' | 'mul' | 'div'>> = {
  op: 'add',
  compile(node, ctx) {
    const [a, b] = ctx.inputs as [import('../types.js').Value, import('../types.js').Value];
    if (a.size !== b.size || shapeSize(node.output) !== a.size) {
      throw new RuntimeUnsupportedError(node.path, `add with broadcasting ([${node.inputShapes.map((s) => s.join(', ')).join('] + [')}])`);
    }
    const out = ctx.value(node.output, a.varying || b.varying);
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
        const y = out.data;
        if (a.count >= 0 && b.count >= 0) {
          let n = 0;
          for (const v of [a, b])
            for (let k = 0; k < v.count; k++) {
              const i = v.events[k]!;
              if (seen[i]) continue;
              seen[i] = 1;
              const s = a.data[i]! + b.data[i]!;
              y[i] = s;
              if (y[i] !== 0) out.events[n++] = i;
              else y[i] = 0;
            }
          for (let k = 0; k < a.count; k++) seen[a.events[k]!] = 0;
          for (let k = 0; k < b.count; k++) seen[b.events[k]!] = 0;
          out.events.subarray(0, n).sort();
          out.count = n;
        } else {
          for (let i = 0; i < y.length; i++) y[i] = a.data[i]! + b.data[i]!;
          out.count = -1;
        }
        out.binary = false;
      },
    };
  },
};

/** A per-image parameter broadcast (right-aligned, as tfjs) to the full per-image shape. */
export function broadcastTo(values: Float32Array, from: readonly number[], to: readonly number[]): Float32Array {
  const out = new Float32Array(shapeSize(to));
  const lead = to.length - from.length;
  if (lead < 0) throw new Error(`cannot broadcast [${from.join(', ')}] to [${to.join(', ')}]`);
  const strides = from.map((_, i) => shapeSize(from.slice(i + 1)));
  for (let i = 0; i < out.length; i++) {
    let rest = i;
    let src = 0;
    for (let ax = to.length - 1; ax >= 0; ax--) {
      const n = to[ax]!;
      const coord = rest % n;
      rest = (rest - coord) / n;
      const f = ax - lead;
      if (f >= 0 && from[f]! !== 1) src += coord * strides[f]!;
    }
    out[i] = values[src]!;
  }
  return out;
}

export const affineOp: OpHandler<NodeOf<'affine'>> = {
  op: 'affine',
  compile(node, ctx) {
    const x = ctx.inputs[0]!;
    const shape = node.layer.shape;
    const scale = node.scale === null ? null : broadcastTo(ctx.param(node.scale), shape, node.input);
    const bias = node.bias === null ? null : broadcastTo(ctx.param(node.bias), shape, node.input);
    const out = ctx.value(node.output, x.varying);
    return {
      path: node.path,
      output: out,
      begin: () => {
        out.data.fill(0);
        out.count = 0;
      },
      step() {
        const y = out.data;
        if (bias === null && x.count >= 0) {
          clearValue(out);
          let n = 0;
          for (let k = 0; k < x.count; k++) {
            const i = x.events[k]!;
            y[i] = x.data[i]! * scale![i]!;
            if (y[i] !== 0) out.events[n++] = i;
            else y[i] = 0;
          }
          out.count = n;
        } else {
          for (let i = 0; i < y.length; i++) {
            let v = x.data[i]!;
            if (scale !== null) v = Math.fround(v * scale[i]!);
            y[i] = bias === null ? v : v + bias[i]!;
          }
          out.count = -1;
        }
        out.binary = false;
      },
    };
  },
};
