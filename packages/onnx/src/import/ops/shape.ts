/**
 * Data movement: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Slice, Split, Pad,
 * and the ops that vanish at inference (Identity, Dropout, a Cast to float). Each works on the
 * ONNX element order: a value held NHWC is transposed back first where the order matters.
 */
import type { OpContext } from '../context.js';
import { isFloat, numbers, reshapeTarget, sliceParams, type Sym } from '../static.js';
import type { DataValue } from '../values.js';
import type { OpHandler } from './types.js';

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const size = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

/** The value with new ONNX per-image dims (same element order). */
function reshapeTo(ctx: OpContext, v: DataValue, dims: number[]): void {
  if (size(dims) !== size(v.dims)) throw ctx.fail(`cannot reshape ${ctx.describe(v)} to [${ctx.batched ? 'N, ' : ''}${dims}]`);
  if (sameDims(dims, v.dims)) return ctx.passThrough(v, 'no-op: the shape does not change');
  if (dims.length === 1 && v.layout === 'nhwc') {
    // A channels-first flatten of an image: spikelite's flatten in 'chw' order (the fold pass may
    // move the permutation into the next linear layer instead).
    return void ctx.produce({ kind: 'flatten', order: 'chw' }, [v], 'plain');
  }
  const p = ctx.plain(v);
  ctx.produce(dims.length === 1 && p.dims.length > 0 ? { kind: 'flatten' } : { kind: 'reshape', shape: dims }, [p], 'plain');
}

function flatten(ctx: OpContext): void {
  const v = ctx.data(0);
  const full = v.dims.length + (ctx.batched ? 1 : 0);
  let axis = ctx.int('axis', 1);
  if (axis < 0) axis += full;
  if (ctx.batched) {
    if (axis !== 1) throw ctx.batchFail(`Flatten(axis=${ctx.int('axis', 1)}) merges the first axis with others`);
    return reshapeTo(ctx, v, [size(v.dims)]);
  }
  reshapeTo(ctx, v, [size(v.dims.slice(0, axis)), size(v.dims.slice(axis))]);
}

function reshape(ctx: OpContext): void {
  const v = ctx.data(0);
  const allowZero = ctx.int('allowzero', 0) !== 0;
  const target: Sym[] = ctx.opset >= 5 ? (ctx.static(1, 'shape').data as Sym[]) : (ctx.ints('shape') ?? []);
  const t = Array.from(target as ArrayLike<Sym>);
  if (!ctx.batched) return reshapeTo(ctx, v, reshapeTarget(v.dims, numbers({ dims: [t.length], data: t }, 'Reshape shape'), allowZero));
  const [first, ...rest] = t;
  if (rest.includes('N')) throw ctx.batchFail(`Reshape to [${t}] moves the batch size off axis 0`);
  const dims = (rest as number[]).map((d, i) => (d === 0 && !allowZero ? v.dims[i]! : d));
  const perImage = size(v.dims);
  const batchOk =
    first === 'N' ||
    (first === 0 && !allowZero) ||
    (typeof ctx.batchSize === 'number' && first === ctx.batchSize) ||
    (first === -1 && !dims.includes(-1) && size(dims) === perImage);
  if (!batchOk) throw ctx.batchFail(`Reshape to [${t}] moves elements across axis 0`);
  const known = dims.filter((d) => d !== -1);
  const resolved = dims.map((d) => (d === -1 ? perImage / size(known) : d));
  reshapeTo(ctx, v, resolved);
}

function squeeze(ctx: OpContext): void {
  const v = ctx.data(0);
  const full = v.dims.length + (ctx.batched ? 1 : 0);
  const axes = ctx.opset >= 13 ? (ctx.has(1) ? ctx.ints64(1, 'axes') : undefined) : ctx.ints('axes');
  const fullDims = ctx.batched ? [-1, ...v.dims] : [...v.dims];
  const drop = new Set((axes ?? fullDims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => (a < 0 ? a + full : a)));
  if (ctx.batched && drop.has(0)) throw ctx.batchFail('Squeeze removes axis 0');
  for (const a of drop) if (fullDims[a] !== 1) throw ctx.fail(`axis ${a} has size ${fullDims[a]}, not 1`);
  reshapeTo(ctx, v, fullDims.filter((_, i) => !drop.has(i) && !(ctx.batched && i === 0)));
}

function unsqueeze(ctx: OpContext): void {
  const v = ctx.data(0);
  const axes = ctx.opset >= 13 ? ctx.ints64(1, 'axes') : (ctx.ints('axes') ?? []);
  const full = v.dims.length + (ctx.batched ? 1 : 0) + axes.length;
  const dims: number[] = ctx.batched ? [-1, ...v.dims] : [...v.dims];
  for (const a of axes.map((a) => (a < 0 ? a + full : a)).sort((p, q) => p - q)) {
    if (ctx.batched && a === 0) throw ctx.batchFail('Unsqueeze inserts a new axis 0');
    dims.splice(a, 0, 1);
  }
  reshapeTo(ctx, v, ctx.batched ? dims.slice(1) : dims);
}

function transpose(ctx: OpContext): void {
  const v = ctx.data(0);
  const full = v.dims.length + (ctx.batched ? 1 : 0);
  const perm = ctx.ints('perm') ?? Array.from({ length: full }, (_, i) => full - 1 - i);
  if (ctx.batched && perm[0] !== 0) throw ctx.batchFail(`Transpose perm [${perm}] moves axis 0`);
  const p = ctx.batched ? perm.slice(1).map((a) => a - 1) : perm;
  if (p.every((a, i) => a === i)) return ctx.passThrough(v, 'no-op: identity permutation');
  const x = ctx.plain(v);
  ctx.produce({ kind: 'transpose', perm: p }, [x], 'plain');
}

function concat(ctx: OpContext): void {
  const names = ctx.node.input.map((_, i) => i).filter((i) => ctx.has(i));
  const datas = names.filter((i) => !ctx.isStatic(i)).map((i) => ctx.data(i));
  if (datas.length === 0) throw ctx.fail('all inputs are constants');
  const rank = datas[0]!.dims.length;
  // Concat's axis defaulted to 1 before opset 4.
  const a = ctx.axis(ctx.int('axis', ctx.opset < 4 ? 1 : 0), rank);
  const nhwc = rank === 3 && datas.some((d) => d.layout === 'nhwc');
  const parts = names.map((i) => {
    if (!ctx.isStatic(i)) return nhwc ? ctx.nhwc(ctx.data(i)) : ctx.plain(ctx.data(i));
    const c = ctx.constantFor({ ref: '', dims: datas[0]!.dims, layout: nhwc ? 'nhwc' : 'plain' }, ctx.floats(i, `input ${i}`), `input ${i}`);
    return ctx.constantLayer(c.shape, c.data, nhwc ? 'nhwc' : 'plain');
  });
  if (parts.length === 1) return ctx.passThrough(parts[0]!, 'no-op: a concatenation of one value');
  ctx.produce({ kind: 'concat', axis: nhwc ? ctx.spikeliteAxis(parts[0]!, a) : a }, parts, nhwc ? 'nhwc' : 'plain');
}

/** One slice layer per sliced axis; slicing the whole batch axis is a no-op. */
function slices(ctx: OpContext, v: DataValue, specs: Array<{ axis: number; start: number; end: number; step: number }>, out = 0): void {
  let x = v;
  for (const s of specs) {
    const fullAxis = s.axis;
    if (ctx.batched && fullAxis === 0) {
      const whole = s.step === 1 && s.start === 0 && s.end >= 2 ** 31 - 1;
      if (!whole) throw ctx.batchFail('Slice cuts axis 0');
      continue;
    }
    const a = ctx.batched ? fullAxis - 1 : fullAxis;
    x = ctx.valueOf(ctx.emit({ kind: 'slice', axis: ctx.spikeliteAxis(x, a), start: s.start, end: s.end, step: s.step }, [x], {}, out), x.layout);
  }
  if (x === v) return ctx.passThrough(v, 'no-op: the slice keeps everything');
  ctx.setOutput(out, x);
}

function slice(ctx: OpContext): void {
  const v = ctx.data(0);
  const full = v.dims.length + (ctx.batched ? 1 : 0);
  const statics = [0, 1, 2, 3, 4].map((i) => (i > 0 && ctx.has(i) ? ctx.static(i, ['', 'starts', 'ends', 'axes', 'steps'][i]!) : undefined));
  const specs = sliceParams(statics, { opset: ctx.opset, ints: (n: string) => ctx.ints(n) } as Parameters<typeof sliceParams>[1], full);
  slices(ctx, v, specs);
}

function split(ctx: OpContext): void {
  const v = ctx.data(0);
  const rank = v.dims.length;
  const a = ctx.axis(ctx.int('axis', 0), rank);
  const n = v.dims[a]!;
  const outputs = ctx.node.output.length;
  let sizes: number[];
  if (ctx.opset >= 13 && ctx.has(1)) sizes = ctx.ints64(1, 'split');
  else if (ctx.ints('split')) sizes = ctx.ints('split')!;
  else {
    const k = ctx.int('num_outputs', outputs);
    const each = Math.ceil(n / k);
    sizes = Array.from({ length: k }, (_, i) => Math.min(each, n - i * each));
  }
  if (sizes.reduce((x, y) => x + y, 0) !== n) throw ctx.fail(`split sizes [${sizes}] do not add up to ${n}`);
  let start = 0;
  sizes.forEach((len, i) => {
    const fullAxis = a + (ctx.batched ? 1 : 0);
    slices(ctx, v, [{ axis: fullAxis, start, end: start + len, step: 1 }], i);
    start += len;
  });
}

function pad(ctx: OpContext): void {
  const v = ctx.data(0);
  const full = v.dims.length + (ctx.batched ? 1 : 0);
  const mode = ctx.string('mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw ctx.fail(`mode '${mode}' is not supported`);
  // Opset 1 calls the attribute `paddings`; opsets 2–10 `pads`; since 11 it is an input.
  let pads = ctx.opset >= 11 ? ctx.ints64(1, 'pads') : (ctx.ints('pads') ?? ctx.ints('paddings') ?? []);
  let value = 0;
  if (ctx.opset >= 11 && ctx.has(2)) value = ctx.floats(2, 'constant_value').data[0] ?? 0;
  else if (ctx.opset < 11) value = ctx.float('value', 0);
  if (ctx.opset >= 18 && ctx.has(3)) {
    const axes = ctx.ints64(3, 'axes').map((x) => (x < 0 ? x + full : x));
    const all = new Array<number>(2 * full).fill(0);
    axes.forEach((ax, i) => {
      all[ax] = pads[i]!;
      all[ax + full] = pads[i + axes.length]!;
    });
    pads = all;
  }
  if (pads.length !== 2 * full) throw ctx.fail(`pads [${pads}] need ${2 * full} values`);
  if (pads.some((p) => p < 0)) throw ctx.fail(`negative pads [${pads}] (cropping) are not supported`);
  if (pads.every((p) => p === 0)) return ctx.passThrough(v, 'no-op: zero padding');
  if (ctx.batched && (pads[0] !== 0 || pads[full] !== 0)) throw ctx.batchFail('Pad pads axis 0');
  const off = ctx.batched ? 1 : 0;
  const perImage = v.dims.map((_, i) => [pads[i + off]!, pads[i + off + full]!] as [number, number]);
  const ordered = v.layout === 'nhwc' ? [perImage[1]!, perImage[2]!, perImage[0]!] : perImage;
  ctx.produce({ kind: 'pad', pads: ordered, mode, value }, [v], v.layout);
}

function passThrough(reason: string) {
  return (ctx: OpContext): void => {
    if (ctx.op === 'Cast' && ![1, 10, 11, 16].includes(ctx.int('to', 1))) throw ctx.fail(`a cast of data to type ${ctx.int('to', 1)} is not supported (float only)`);
    ctx.passThrough(ctx.data(0), reason);
  };
}

/**
 * Dropout at inference: the identity, and its mask (when read) all true — ones. In training
 * mode only a ratio of 0 is deterministic (the same).
 */
function dropout(ctx: OpContext): void {
  if (ctx.opset >= 12 && ctx.has(2)) {
    const training = numbers(ctx.static(2, 'training_mode'), 'training_mode').some((x) => x !== 0);
    const ratio = ctx.has(1) ? ctx.floats(1, 'ratio').data[0]! : 0.5;
    if (training && ratio !== 0) throw ctx.fail(`training_mode=true with ratio ${ratio} draws a random mask; inference graphs only`);
  }
  const v = ctx.data(0);
  ctx.passThrough(v, 'identity at inference');
  if ((ctx.node.output[1] ?? '') !== '') ctx.produce({ kind: 'affine', shape: [1], scale: true, bias: true }, [v], v.layout, { scale: Float32Array.of(0), bias: Float32Array.of(1) }, 1);
}

export const shapeHandlers: OpHandler[] = [
  { opType: 'Flatten', import: flatten },
  { opType: 'Reshape', import: reshape },
  { opType: 'Squeeze', import: squeeze },
  { opType: 'Unsqueeze', import: unsqueeze },
  { opType: 'Transpose', import: transpose },
  { opType: 'Concat', import: concat },
  { opType: 'Slice', import: slice },
  { opType: 'Split', import: split },
  { opType: 'Pad', import: pad },
  { opType: 'Identity', import: passThrough('identity') },
  { opType: 'Dropout', import: dropout },
  { opType: 'Cast', import: passThrough('a cast to float') },
];

export { isFloat };
