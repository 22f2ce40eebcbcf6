/** MaxPool, AveragePool (1-D, 2-D), GlobalAveragePool, GlobalMaxPool, ReduceMean/ReduceMax over H and W. */
import type { OpContext } from '../context.js';
import { autoPads, as2d, from2d, one } from './spatial.js';
import type { OpHandler } from './types.js';

function pool(ctx: OpContext): void {
  const max = ctx.op === 'MaxPool';
  ctx.onlyAttributes(['auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides']);
  if (max) ctx.onlyFirstOutput('indices');
  const ks = ctx.ints('kernel_shape');
  if (ks === undefined || (ks.length !== 1 && ks.length !== 2)) throw ctx.fail(`kernel_shape [${ks ?? ''}]: only 1-D and 2-D pooling is supported`);
  const oned = ks.length === 1;
  const x = oned ? as2d(ctx, ctx.data(0)) : ctx.image(0);
  const [, h, w] = x.dims as [number, number, number];
  const lift = (v: number[] | undefined, def: number): [number, number] => (v === undefined ? [def, def] : oned ? [def, v[0]!] : [v[0]!, v[1]!]);
  const [kh, kw] = lift(ks, 1);
  const [sh, sw] = lift(ctx.ints('strides'), 1);
  const [dh, dw] = lift(ctx.ints('dilations'), 1);
  if (!max && (dh !== 1 || dw !== 1)) throw ctx.fail('dilated average pooling is not supported');
  if (ctx.int('storage_order', 0) !== 0) throw ctx.fail('storage_order=1 is not supported');
  const pads = autoPads(ctx, [h, w], [kh, kw], [sh, sw], [dh, dw], oned);
  const zero = pads.top + pads.bottom + pads.left + pads.right === 0;
  const common = {
    poolSize: one(kh, kw),
    strides: one(sh, sw),
    padding: zero ? ('valid' as const) : pads,
    ceilMode: ctx.int('ceil_mode', 0) !== 0,
  };
  const layer = max
    ? { kind: 'maxPool' as const, ...common, ...(dh !== 1 || dw !== 1 ? { dilations: one(dh, dw) } : {}) }
    : { kind: 'avgPool' as const, ...common, countIncludePad: !zero && ctx.int('count_include_pad', 0) !== 0 };
  const y = ctx.valueOf(ctx.emit(layer, [x]), 'nhwc');
  ctx.setOutput(0, oned ? from2d(ctx, y) : y);
}

function globalPool(ctx: OpContext): void {
  const x = ctx.image(0);
  ctx.produce({ kind: ctx.op === 'GlobalMaxPool' ? 'globalMaxPool' : 'globalAvgPool', keepDims: true }, [x], 'nhwc');
}

/** ReduceMean/ReduceMax over the spatial axes of an image: a global pooling. */
function reduce(ctx: OpContext): void {
  const v = ctx.data(0);
  let axes: number[] | undefined;
  if (ctx.opset >= 18) axes = ctx.has(1) ? ctx.ints64(1, 'axes') : undefined;
  else axes = ctx.ints('axes');
  const full = v.dims.length + (ctx.batched ? 1 : 0);
  const norm = [...new Set((axes ?? []).map((a) => (a < 0 ? a + full : a)))].sort();
  if (!ctx.batched || v.dims.length !== 3 || norm.join() !== '2,3') {
    throw ctx.fail(`axes [${axes ?? 'all'}] of ${ctx.describe(v)} are not supported (the ${ctx.op === 'ReduceMean' ? 'mean' : 'max'} over H and W of an image, axes [2, 3], only)`);
  }
  const keep = ctx.int('keepdims', 1) !== 0;
  ctx.produce({ kind: ctx.op === 'ReduceMean' ? 'globalAvgPool' : 'globalMaxPool', keepDims: keep }, [ctx.image(0)], keep ? 'nhwc' : 'plain');
}

export const poolHandlers: OpHandler[] = [
  { opType: 'MaxPool', import: pool },
  { opType: 'AveragePool', import: pool },
  { opType: 'GlobalAveragePool', import: globalPool },
  { opType: 'GlobalMaxPool', import: globalPool },
  { opType: 'ReduceMean', import: reduce },
  { opType: 'ReduceMax', import: reduce },
];
