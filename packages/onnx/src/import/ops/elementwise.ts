/**
 * Add, Sub, Mul, Div with ONNX (NumPy) broadcasting. A constant operand that does not grow the
 * data becomes an `affine` layer (scale and/or bias: foldable into the conv before it); two data
 * operands an element-wise layer (residual adds, squeeze-and-excitation gates).
 */
import type { OpContext } from '../context.js';
import type { DataValue } from '../values.js';
import type { OpHandler } from './types.js';

const KIND = { Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div' } as const;
type Op = keyof typeof KIND;

/** Both operands at the same per-image rank and layout (a lower-rank one gets leading unit axes). */
function harmonize(ctx: OpContext, a: DataValue, b: DataValue): [DataValue, DataValue] {
  const rank = Math.max(a.dims.length, b.dims.length);
  const lift = (v: DataValue): DataValue => {
    if (v.dims.length === rank) return v;
    const p = ctx.plain(v);
    return ctx.valueOf(ctx.emit({ kind: 'reshape', shape: [...Array<number>(rank - v.dims.length).fill(1), ...v.dims] }, [p]), 'plain');
  };
  let [x, y] = [lift(a), lift(b)];
  if (x.layout !== y.layout) [x, y] = rank === 3 ? [ctx.nhwc(x), ctx.nhwc(y)] : [ctx.plain(x), ctx.plain(y)];
  return [x, y];
}

/** Trailing-aligned shape without leading unit axes (at least one axis). */
function trim(shape: number[]): number[] {
  let i = 0;
  while (i < shape.length - 1 && shape[i] === 1) i++;
  return shape.slice(i);
}

function withConstant(ctx: OpContext, op: Op, v: DataValue, constIndex: number): void {
  const c = ctx.constantFor(v, ctx.floats(constIndex, 'constant operand'), 'constant operand');
  const shape = trim(c.shape.length === 0 ? [1] : c.shape);
  const dataFirst = constIndex === 1;
  // The constant must not broadcast the data to a larger shape (else it is a real element-wise op).
  const vs = v.layout === 'nhwc' ? [v.dims[1]!, v.dims[2]!, v.dims[0]!] : [...v.dims];
  const grows = shape.length > vs.length || shape.some((d, i) => d !== 1 && d !== vs[vs.length - shape.length + i]);
  if (!grows) {
    const data = c.data;
    if (op === 'Mul') return void ctx.produce({ kind: 'affine', shape, scale: true, bias: false }, [v], v.layout, { scale: data });
    if (op === 'Add') return void ctx.produce({ kind: 'affine', shape, scale: false, bias: true }, [v], v.layout, { bias: data });
    if (op === 'Div' && dataFirst) return void ctx.produce({ kind: 'affine', shape, scale: true, bias: false }, [v], v.layout, { scale: data.map((x) => 1 / x) });
    if (op === 'Sub' && dataFirst) return void ctx.produce({ kind: 'affine', shape, scale: false, bias: true }, [v], v.layout, { bias: data.map((x) => -x) });
    if (op === 'Sub') return void ctx.produce({ kind: 'affine', shape, scale: true, bias: true }, [v], v.layout, { scale: new Float32Array(data.length).fill(-1), bias: data });
  }
  const k = ctx.constantLayer(c.shape.length === 0 ? [1] : c.shape, c.data, v.layout);
  const [a, b] = dataFirst ? harmonize(ctx, v, k) : harmonize(ctx, k, v);
  ctx.produce({ kind: KIND[op] }, [a, b], a.layout);
}

function elementwise(ctx: OpContext): void {
  const op = ctx.op as Op;
  // Before opset 7 broadcasting was opt-in, aligned at an `axis`; without it both shapes are equal.
  if (ctx.int('broadcast', 0) !== 0) throw ctx.fail('the opset < 7 broadcast attribute is not supported (re-export at opset 7 or later)');
  if (ctx.isStatic(1)) return withConstant(ctx, op, ctx.data(0), 1);
  if (ctx.isStatic(0)) return withConstant(ctx, op, ctx.data(1), 0);
  const [a, b] = harmonize(ctx, ctx.data(0), ctx.data(1));
  ctx.produce({ kind: KIND[op] }, [a, b], a.layout);
}

export const elementwiseHandlers: OpHandler[] = (Object.keys(KIND) as Op[]).map((opType) => ({ opType, import: elementwise }));
