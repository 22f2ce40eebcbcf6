/**
 * Softmax and LogSoftmax. A final one on a classifier's [N, classes] output is removed (spikelite
 * outputs logits, as an SNN's output membrane does); elsewhere it is a `softmax` layer. Before
 * opset 13 the op flattens the input from `axis` on (default 1) and normalises over that block.
 */
import type { OpContext } from '../context.js';
import type { OpHandler } from './types.js';

export function softmaxHandler(
  opType: 'Softmax' | 'LogSoftmax',
  hooks: () => { keepFinalSoftmax: boolean; onFinalSoftmax(kind: 'softmax' | 'logSoftmax'): void },
): OpHandler {
  return {
    opType,
    import(ctx: OpContext): void {
      const v = ctx.data(0);
      const log = opType === 'LogSoftmax';
      const full = v.dims.length + (ctx.batched ? 1 : 0);
      const raw = ctx.int('axis', ctx.opset >= 13 ? -1 : 1);
      const axisFull = raw < 0 ? raw + full : raw;
      if (!hooks().keepFinalSoftmax && ctx.isGraphOutput() && ctx.batched && v.dims.length === 1 && axisFull === 1) {
        hooks().onFinalSoftmax(log ? 'logSoftmax' : 'softmax');
        return ctx.passThrough(v, 'the final softmax: the model outputs logits');
      }
      const a = ctx.axis(raw, v.dims.length);
      if (ctx.opset >= 13 || a === v.dims.length - 1) {
        return void ctx.produce({ kind: 'softmax', axis: ctx.spikeliteAxis(v, a), log }, [v], v.layout);
      }
      // Opset < 13: one softmax over every axis from `a` on, as one flattened block.
      const p = ctx.plain(v);
      const block = p.dims.slice(a).reduce((x, y) => x * y, 1);
      const flat = ctx.valueOf(ctx.emit({ kind: 'reshape', shape: [...p.dims.slice(0, a), block] }, [p]), 'plain');
      const sm = ctx.valueOf(ctx.emit({ kind: 'softmax', axis: -1, log }, [flat]), 'plain');
      ctx.produce({ kind: 'reshape', shape: [...p.dims] }, [sm], 'plain');
    },
  };
}
