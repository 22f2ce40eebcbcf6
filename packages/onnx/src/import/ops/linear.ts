/**
 * Gemm and MatMul. A data operand times a constant matrix is a `linear` layer on the last axis
 * (its kernel [K, M]); anything else is a `matmul` of two values.
 */
import type { OpContext } from '../context.js';
import type { DataValue } from '../values.js';
import type { OpHandler } from './types.js';

/** B (or Bᵀ) of a Gemm as a [K, M] kernel times alpha. */
function kernelOf(b: { dims: number[]; data: Float32Array }, transB: boolean, alpha: number): { k: number; m: number; data: Float32Array } {
  const [r, c] = b.dims as [number, number];
  const [k, m] = transB ? [c, r] : [r, c];
  const data = new Float32Array(k * m);
  for (let i = 0; i < k; i++) for (let j = 0; j < m; j++) data[i * m + j] = alpha * (transB ? b.data[j * c + i]! : b.data[i * c + j]!);
  return { k, m, data };
}

function gemm(ctx: OpContext): void {
  ctx.onlyAttributes(['alpha', 'beta', 'transA', 'transB', 'broadcast']);
  const alpha = ctx.float('alpha', 1);
  const beta = ctx.float('beta', 1);
  let a = ctx.plain(ctx.data(0));
  const transA = ctx.int('transA', 0) !== 0;
  if (a.dims.length + (ctx.batched ? 1 : 0) !== 2) throw ctx.fail(`A is ${ctx.describe(a)}; Gemm takes a 2-D A (flatten first)`);
  if (transA) {
    if (ctx.batched) throw ctx.batchFail('transA=1 makes the batch the second axis of A');
    a = ctx.valueOf(ctx.emit({ kind: 'transpose', perm: [1, 0] }, [a]), 'plain');
  }
  const b = ctx.floats(1, 'B');
  if (b.dims.length !== 2) throw ctx.fail(`B has dims [${b.dims}], expected 2-D`);
  const { k, m, data } = kernelOf(b, ctx.int('transB', 0) !== 0, alpha);
  const features = a.dims[a.dims.length - 1]!;
  if (k !== features) throw ctx.fail(`B expects ${k} input features, A has ${features}`);
  let bias: Float32Array | undefined;
  let fullBias: { shape: number[]; data: Float32Array } | undefined;
  if (ctx.has(2)) {
    const c = ctx.floats(2, 'C');
    const scaled = { dims: c.dims, data: c.data.map((x) => beta * x) };
    if (c.data.length === m && c.dims.filter((d) => d !== 1).length <= 1) bias = scaled.data;
    else if (c.data.length === 1) bias = new Float32Array(m).fill(scaled.data[0]!);
    else fullBias = ctx.constantFor({ ...a, dims: [...a.dims.slice(0, -1), m] }, scaled, 'C');
  }
  const y = ctx.valueOf(ctx.emit({ kind: 'linear', units: m, useBias: bias !== undefined }, [a], bias ? { kernel: data, bias } : { kernel: data }), 'plain');
  if (fullBias === undefined) return ctx.setOutput(0, y);
  ctx.produce({ kind: 'affine', shape: fullBias.shape, scale: false, bias: true }, [y], 'plain', { bias: fullBias.data });
}

/** A constant matmul operand as a spikelite constant (in a batched graph its first of 3+ axes is the batch: it must be 1). */
function constOperand(ctx: OpContext, i: number, dataRank: number): DataValue {
  const c = ctx.floats(i, `input ${i}`);
  let dims = c.dims;
  const full = dataRank + (ctx.batched ? 1 : 0);
  if (ctx.batched && dims.length > 2 && dims.length >= full) {
    if (dims[0] !== 1) throw ctx.batchFail(`input ${i} [${c.dims}] varies along axis 0`);
    dims = dims.slice(1);
  }
  return ctx.constantLayer(dims, c.data, 'plain');
}

function matMul(ctx: OpContext): void {
  if (ctx.isStatic(1) && !ctx.isStatic(0)) {
    const a = ctx.plain(ctx.data(0));
    const b = ctx.floats(1, 'B');
    if (b.dims.length === 2) {
      const [k, m] = b.dims as [number, number];
      if (a.dims[a.dims.length - 1] !== k) throw ctx.fail(`B [${b.dims}] does not fit A ${ctx.describe(a)}`);
      return void ctx.produce({ kind: 'linear', units: m, useBias: false }, [a], 'plain', { kernel: b.data });
    }
    return void ctx.produce({ kind: 'matmul' }, [a, constOperand(ctx, 1, a.dims.length)], 'plain');
  }
  const b = ctx.plain(ctx.data(1));
  const a = ctx.isStatic(0) ? constOperand(ctx, 0, b.dims.length) : ctx.plain(ctx.data(0));
  ctx.produce({ kind: 'matmul' }, [a, b], 'plain');
}

export const linearHandlers: OpHandler[] = [
  { opType: 'Gemm', import: gemm },
  { opType: 'MatMul', import: matMul },
];
