/**
 * Data movement: flatten ('hwc'), reshape and inference-time dropout leave an image's buffer
 * as it is (row-major NHWC), so their output is their input value; a 'chw' flatten permutes
 * the elements (and maps the events, kept ascending).
 */
import type { NodeOf } from '../../graph.js';
import type { OpHandler, Step } from '../types.js';
import { clearValue } from './pool.js';

type AliasNode = NodeOf<'flatten' | 'reshape' | 'dropout'>;

function alias(node: AliasNode, inputs: readonly import('../types.js').Value[]): Step {
  return { path: node.path, output: inputs[0]!, step() {} };
}

export const flattenOp: OpHandler<NodeOf<'flatten'>> = {
  op: 'flatten',
  compile(node, ctx) {
    const x = ctx.inputs[0]!;
    if (node.layer.order !== 'chw' || node.input.length !== 3) return alias(node, ctx.inputs);
    const [H, W, C] = node.input as [number, number, number];
    // to[i] = the flat CHW position of NHWC element i.
    const to = new Int32Array(x.size);
    for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) to[p * C + c] = c * H * W + p;
    const out = ctx.value(node.output, x.varying);
    return {
      path: node.path,
      output: out,
      begin: () => {
        out.data.fill(0);
        out.count = 0;
      },
      step() {
        clearValue(out);
        if (x.count >= 0) {
          for (let k = 0; k < x.count; k++) {
            const i = x.events[k]!;
            out.data[to[i]!] = x.data[i]!;
            out.events[k] = to[i]!;
          }
          out.events.subarray(0, x.count).sort();
        } else {
          for (let i = 0; i < x.size; i++) out.data[to[i]!] = x.data[i]!;
        }
        out.count = x.count;
        out.binary = x.binary;
      },
    };
  },
};

export const reshapeOp: OpHandler<NodeOf<'reshape'>> = { op: 'reshape', compile: (node, ctx) => alias(node, ctx.inputs) };
/** Inference: dropout is the identity (SnnModel.forward without `training`). */
export const dropoutOp: OpHandler<NodeOf<'dropout'>> = { op: 'dropout', compile: (node, ctx) => alias(node, ctx.inputs) };
