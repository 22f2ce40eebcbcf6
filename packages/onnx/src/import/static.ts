/**
 * Import-time evaluation of constant subgraphs: weights held in Constant nodes, shape
 * arithmetic (Shape → Gather → Unsqueeze → Concat → Reshape, Slice, ReduceProd...), weights
 * that an exporter computes from other weights. A registry of small numpy-like kernels on
 * flat row-major arrays; integer tensors keep the symbolic batch size 'N'.
 */
import { decodeTensor } from '../tensor.js';
import type { AttributeProto, NodeProto, TensorProto } from '../proto.js';
import { int64 } from '../proto.js';

/** One element of an integer static tensor: a number, or the symbolic (dynamic) batch size. */
export type Sym = number | 'N';

export interface StaticValue {
  dims: number[];
  /** Float tensors as Float32Array; integer and boolean tensors as numbers (or 'N'). */
  data: Float32Array | Sym[];
}

export const isFloat = (v: StaticValue): v is { dims: number[]; data: Float32Array } => v.data instanceof Float32Array;
const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export function fromTensor(t: TensorProto, external?: (t: TensorProto) => Uint8Array): StaticValue {
  const d = decodeTensor(t, external);
  return { dims: d.dims, data: d.data };
}

/** Numbers of a static value; the symbolic batch is refused (`what` names the use). */
export function numbers(v: StaticValue, what: string): number[] {
  return Array.from(v.data as ArrayLike<Sym>, (x) => {
    if (x === 'N') throw new Error(`${what} depends on the dynamic batch size`);
    return Number(x);
  });
}

export interface StaticContext {
  node: NodeProto;
  opset: number;
  attr(name: string): AttributeProto | undefined;
  int(name: string, def: number): number;
  ints(name: string): number[] | undefined;
  float(name: string, def: number): number;
  /** The full ONNX shape of a data value (batch symbolic), for Shape and Size. */
  dataShape(index: number): Sym[];
  /** Tensors stored outside the file. */
  external?: (t: TensorProto) => Uint8Array;
}

type StaticOp = (inputs: Array<StaticValue | undefined>, ctx: StaticContext) => StaticValue[];

/** Strides of row-major dims. */
function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

/** Broadcast an element-wise function over two static values (NumPy rules). */
function broadcast(a: StaticValue, b: StaticValue, f: (x: Sym, y: Sym) => Sym): StaticValue {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]): number[] => [...Array<number>(rank - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((x, i) => {
    const y = db[i]!;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a.dims}] and [${b.dims}] do not broadcast`);
    return Math.max(x, y);
  });
  const sa = strides(da);
  const sb = strides(db);
  const so = strides(dims);
  const n = size(dims);
  const out: Sym[] = new Array<Sym>(n);
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < rank; k++) {
      const c = Math.floor(i / so[k]!) % dims[k]!;
      if (da[k] !== 1) ia += c * sa[k]!;
      if (db[k] !== 1) ib += c * sb[k]!;
    }
    out[i] = f(a.data[ia]!, b.data[ib]!);
  }
  return { dims, data: isFloat(a) || isFloat(b) ? Float32Array.from(out as number[]) : out };
}

const num = (x: Sym): number => {
  if (x === 'N') throw new Error('arithmetic on the dynamic batch size');
  return x;
};

function arith(f: (x: number, y: number) => number, keepN?: (x: Sym, y: Sym) => Sym | undefined, int?: (x: number, y: number) => number): StaticOp {
  return ([a, b]) => {
    // Integer tensors use integer arithmetic (ONNX Div of int64 truncates).
    const g = int !== undefined && !isFloat(a!) && !isFloat(b!) ? int : f;
    return [broadcast(a!, b!, (x, y) => keepN?.(x, y) ?? g(num(x), num(y)))];
  };
}

function unary(f: (x: number) => number): StaticOp {
  return ([a]) => [{ dims: a!.dims, data: isFloat(a!) ? Float32Array.from(a!.data, f) : (a!.data as Sym[]).map((x) => f(num(x))) }];
}

/** Axes from the opset-13+ input or the older attribute. */
function axesOf(inputs: Array<StaticValue | undefined>, index: number, ctx: StaticContext): number[] | undefined {
  const v = inputs[index];
  if (v !== undefined) return numbers(v, 'axes');
  return ctx.ints('axes');
}

/** Gather along one axis (any rank). */
function gather(data: StaticValue, idx: number[], idxDims: number[], axis: number): StaticValue {
  const d = data.dims;
  const ax = axis < 0 ? axis + d.length : axis;
  const outer = size(d.slice(0, ax));
  const inner = size(d.slice(ax + 1));
  const n = d[ax]!;
  const out: Sym[] = [];
  for (let o = 0; o < outer; o++)
    for (const i0 of idx) {
      const i = i0 < 0 ? i0 + n : i0;
      if (i < 0 || i >= n) throw new Error(`Gather index ${i0} out of range for an axis of ${n}`);
      for (let k = 0; k < inner; k++) out.push(data.data[(o * n + i) * inner + k]!);
    }
  const dims = [...d.slice(0, ax), ...idxDims, ...d.slice(ax + 1)];
  return { dims, data: isFloat(data) ? Float32Array.from(out as number[]) : out };
}

function transpose(v: StaticValue, perm: number[]): StaticValue {
  const dims = perm.map((p) => v.dims[p]!);
  const si = strides(v.dims);
  const so = strides(dims);
  const n = size(dims);
  const out: Sym[] = new Array<Sym>(n);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += (Math.floor(i / so[k]!) % dims[k]!) * si[perm[k]!]!;
    out[i] = v.data[src]!;
  }
  return { dims, data: isFloat(v) ? Float32Array.from(out as number[]) : out };
}

/** Python slice bounds per axis (ONNX Slice clamping). */
function sliceAxis(n: number, start: number, end: number, step: number): number[] {
  const clampS = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  const norm = (v: number): number => (v < 0 ? v + n : v);
  const out: number[] = [];
  if (step > 0) for (let i = clampS(norm(start), 0, n); i < clampS(norm(end), 0, n); i += step) out.push(i);
  else for (let i = clampS(norm(start), -1, n - 1); i > clampS(norm(end), -1, n - 1); i += step) out.push(i);
  return out;
}

/** Slice parameters (opset ≥ 10 inputs, older attributes). */
export function sliceParams(inputs: Array<StaticValue | undefined>, ctx: StaticContext, rank: number): Array<{ axis: number; start: number; end: number; step: number }> {
  const old = ctx.opset < 10;
  const starts = old ? ctx.ints('starts')! : numbers(inputs[1]!, 'Slice starts');
  const ends = old ? ctx.ints('ends')! : numbers(inputs[2]!, 'Slice ends');
  const axes = old ? (ctx.ints('axes') ?? starts.map((_, i) => i)) : inputs[3] ? numbers(inputs[3], 'Slice axes') : starts.map((_, i) => i);
  const steps = !old && inputs[4] ? numbers(inputs[4], 'Slice steps') : starts.map(() => 1);
  return axes.map((a, i) => ({ axis: a < 0 ? a + rank : a, start: starts[i]!, end: ends[i]!, step: steps[i]! }));
}

export function reshapeTarget(input: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const dims = target.map((t, i) => (t === 0 && !allowZero ? input[i]! : t));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = size(input as number[]);
  return dims.map((d) => (d === -1 ? total / known : d));
}

const STATIC_OPS: Record<string, StaticOp> = {
  Constant: (_, ctx) => {
    const a = ctx.node.attribute[0];
    if (a === undefined) throw new Error('Constant without a value');
    switch (a.name) {
      case 'value':
        if (!a.t) throw new Error('Constant value without a tensor');
        return [fromTensor(a.t, ctx.external)];
      case 'value_float':
        return [{ dims: [], data: Float32Array.of(a.f ?? 0) }];
      case 'value_floats':
        return [{ dims: [a.floats.length], data: Float32Array.from(a.floats) }];
      case 'value_int':
        return [{ dims: [], data: [int64(a.i)] }];
      case 'value_ints':
        return [{ dims: [a.ints.length], data: a.ints.map(int64) }];
      default:
        throw new Error(`Constant '${a.name}' is not supported`);
    }
  },
  Identity: ([a]) => [a!],
  Cast: ([a], ctx) => {
    const to = ctx.int('to', 1);
    const floatTypes = new Set([1, 10, 11, 16]);
    if (floatTypes.has(to)) return [{ dims: a!.dims, data: Float32Array.from(a!.data as ArrayLike<number>, (x) => num(x)) }];
    const data = isFloat(a!) ? Array.from(a!.data, (x) => (to === 9 ? Number(x !== 0) : Math.trunc(x))) : (a!.data as Sym[]);
    return [{ dims: a!.dims, data }];
  },
  Shape: (_, ctx) => {
    const full = ctx.dataShape(0);
    const r = full.length;
    const norm = (i: number): number => Math.min(Math.max(i < 0 ? i + r : i, 0), r);
    const sliced = full.slice(norm(ctx.int('start', 0)), norm(ctx.int('end', r)));
    return [{ dims: [sliced.length], data: sliced }];
  },
  Size: (_, ctx) => {
    const full = ctx.dataShape(0);
    return [{ dims: [], data: [full.some((d) => d === 'N') ? 'N' : full.reduce<number>((a, b) => a * (b as number), 1)] }];
  },
  Gather: ([data, idx], ctx) => [gather(data!, numbers(idx!, 'Gather indices'), idx!.dims, ctx.int('axis', 0))],
  Unsqueeze: (inputs, ctx) => {
    const x = inputs[0]!;
    const axes = axesOf(inputs, 1, ctx) ?? [];
    const r = x.dims.length + axes.length;
    const dims = [...x.dims];
    for (const a of axes.map((a) => (a < 0 ? a + r : a)).sort((p, q) => p - q)) dims.splice(a, 0, 1);
    return [{ dims, data: x.data }];
  },
  Squeeze: (inputs, ctx) => {
    const x = inputs[0]!;
    const axes = axesOf(inputs, 1, ctx);
    const drop = new Set(axes !== undefined ? axes.map((a) => (a < 0 ? a + x.dims.length : a)) : x.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
    return [{ dims: x.dims.filter((_, i) => !drop.has(i)), data: x.data }];
  },
  Concat: (inputs, ctx) => {
    const parts = inputs.filter((v): v is StaticValue => v !== undefined && size(v.dims) > 0);
    if (parts.length === 0) return [inputs[0]!];
    const rank = parts[0]!.dims.length;
    const axis = ((ctx.int('axis', 0) % rank) + rank) % rank;
    const outer = size(parts[0]!.dims.slice(0, axis));
    const out: Sym[] = [];
    for (let o = 0; o < outer; o++)
      for (const p of parts) {
        const chunk = size(p.dims.slice(axis));
        for (let k = 0; k < chunk; k++) out.push(p.data[o * chunk + k]!);
      }
    const dims = [...parts[0]!.dims];
    dims[axis] = parts.reduce((a, p) => a + p.dims[axis]!, 0);
    return [{ dims, data: parts.some(isFloat) ? Float32Array.from(out as number[]) : out }];
  },
  Slice: (inputs, ctx) => {
    let v = inputs[0]!;
    for (const { axis, start, end, step } of sliceParams(inputs, ctx, v.dims.length)) {
      const idx = sliceAxis(v.dims[axis]!, start, end, step);
      v = gather(v, idx, [idx.length], axis);
    }
    return [v];
  },
  Reshape: ([x, shape], ctx) => [{ dims: reshapeTarget(x!.dims, numbers(shape!, 'Reshape shape'), ctx.int('allowzero', 0) !== 0), data: x!.data }],
  Flatten: ([x], ctx) => {
    const a = ctx.int('axis', 1);
    const axis = a < 0 ? a + x!.dims.length : a;
    return [{ dims: [size(x!.dims.slice(0, axis)), size(x!.dims.slice(axis))], data: x!.data }];
  },
  Transpose: ([x], ctx) => [transpose(x!, ctx.ints('perm') ?? x!.dims.map((_, i) => x!.dims.length - 1 - i))],
  Add: arith((x, y) => x + y, (x, y) => (x === 'N' && y === 0 ? 'N' : y === 'N' && x === 0 ? 'N' : undefined)),
  Sub: arith((x, y) => x - y, (x, y) => (x === 'N' && y === 0 ? 'N' : undefined)),
  Mul: arith((x, y) => x * y, (x, y) => (x === 'N' && y === 1 ? 'N' : y === 'N' && x === 1 ? 'N' : undefined)),
  Div: arith((x, y) => x / y, (x, y) => (x === 'N' && y === 1 ? 'N' : undefined), (x, y) => Math.trunc(x / y)),
  Pow: arith((x, y) => x ** y),
  Max: arith(Math.max),
  Min: arith(Math.min),
  Equal: arith((x, y) => Number(x === y)),
  Sqrt: unary(Math.sqrt),
  Neg: unary((x) => -x),
  Reciprocal: unary((x) => 1 / x),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Exp: unary(Math.exp),
  Abs: unary(Math.abs),
  ReduceProd: (inputs, ctx) => {
    const x = inputs[0]!;
    const axes = ctx.opset >= 18 && inputs[1] ? numbers(inputs[1], 'axes') : ctx.ints('axes');
    if (axes !== undefined && !(axes.length === x.dims.length || x.dims.length === 1)) throw new Error('ReduceProd of constants: only over all axes');
    const p = (x.data as ArrayLike<Sym>).length === 0 ? 1 : Array.from(x.data as ArrayLike<Sym>).reduce<Sym>((a, b) => (a === 'N' || b === 'N' ? 'N' : a * b), 1);
    const keep = ctx.int('keepdims', 1) !== 0;
    return [{ dims: keep ? x.dims.map(() => 1) : [], data: isFloat(x) ? Float32Array.of(num(p)) : [p] }];
  },
  ConstantOfShape: ([shape], ctx) => {
    const dims = numbers(shape!, 'ConstantOfShape shape');
    const a = ctx.attr('value');
    const v = a?.t ? fromTensor(a.t) : { dims: [1], data: Float32Array.of(0) };
    const n = size(dims);
    return [{ dims, data: isFloat(v) ? new Float32Array(n).fill(v.data[0]!) : new Array<Sym>(n).fill(v.data[0]!) }];
  },
  Range: ([start, limit, delta]) => {
    const [s, l, d] = [start!, limit!, delta!].map((v) => numbers(v, 'Range')[0]!) as [number, number, number];
    const out: number[] = [];
    for (let x = s; d > 0 ? x < l : x > l; x += d) out.push(x);
    return [{ dims: [out.length], data: isFloat(start!) ? Float32Array.from(out) : out }];
  },
  Expand: ([x, shape]) => {
    const dims = numbers(shape!, 'Expand shape');
    return [broadcast(x!, { dims, data: new Array<Sym>(size(dims)).fill(0) }, (a) => a)];
  },
  Where: ([c, x, y]) => {
    // Expand all three to the common shape, then pick.
    const to = (a: StaticValue, b: StaticValue, d: StaticValue): StaticValue => broadcast(broadcast(a, b, (p) => p), d, (p) => p);
    const [cc, xx, yy] = [to(c!, x!, y!), to(x!, c!, y!), to(y!, c!, x!)];
    const data = (cc.data as ArrayLike<Sym>) as Sym[];
    const out = Array.from(data, (v, i) => (v !== 0 ? xx.data[i]! : yy.data[i]!));
    return [{ dims: cc.dims, data: isFloat(xx) || isFloat(yy) ? Float32Array.from(out as number[]) : out }];
  },
};

/** Ops the importer evaluates when all their inputs are constants (Shape and Size: when the shape is known). */
export const STATIC_OP_TYPES: ReadonlySet<string> = new Set(Object.keys(STATIC_OPS));

/** Evaluate one node on constant inputs; throws a plain Error (the importer names the node). */
export function evalStatic(op: string, inputs: Array<StaticValue | undefined>, ctx: StaticContext): StaticValue[] {
  const f = STATIC_OPS[op];
  if (f === undefined) throw new Error(`${op} cannot be evaluated at import time`);
  return f(inputs, ctx);
}
