/**
 * Rewrites of the imported IR, each a small function run to a fixed point:
 *  - fold a per-channel affine (an unfolded BatchNorm, a constant Mul/Add/Div) into the conv or
 *    linear layer before it;
 *  - fuse activation patterns exporters spell out: x·sigmoid(x) → silu, x·hardsigmoid(x) and
 *    x·relu6(x + 3)/6 → hardSwish, relu6(x + 3)/6 → hardSigmoid, relu then relu6 → relu6;
 *  - fold a zero Pad into the conv or average pool after it;
 *  - a channels-first flatten read only by a linear layer becomes a plain flatten with the
 *    layer's rows permuted; a keepDims global pool read only by a flatten drops both axes;
 *  - two transposes that cancel disappear; nodes that do not reach the output are dropped.
 */
import { pair, type ExplicitPadding } from '@spikelite/schemas';
import type { Ir, IrNode } from './ir.js';
import type { ImportReport } from './report.js';

type Pass = (ir: Ir, ctx: PassContext) => boolean;

interface PassContext {
  output: string;
  report: ImportReport;
}

const of = <K extends IrNode['layer']['kind']>(n: IrNode | undefined, kind: K): n is IrNode & { layer: Extract<IrNode['layer'], { kind: K }> } => n?.layer.kind === kind;
const fnOf = (n: IrNode | undefined): string | undefined => (n?.layer.kind === 'activation' ? n.layer.fn : undefined);
const near = (a: number | undefined, b: number): boolean => a !== undefined && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
const allEqual = (v: Float32Array | undefined, x: number): boolean => v !== undefined && v.length > 0 && v.every((y) => near(y, x));

/** The only consumer of `id`, when it has exactly one and is not the output. */
function only(ir: Ir, id: string, ctx: PassContext): IrNode | undefined {
  if (id === ctx.output) return undefined;
  const c = ir.consumers(id);
  return c.length === 1 && c[0]!.inputs.filter((r) => r === id).length === 1 ? c[0] : undefined;
}

/** Replace node `old` by `by` everywhere (and as the output). */
function replace(ir: Ir, ctx: PassContext, old: string, by: string): void {
  ir.replaceUses(old, by);
  if (ctx.output === old) ctx.output = by;
  ir.remove(old);
}

/** Per-output-channel factors of an affine shape ([1], [C], [1, 1, C]...), or null. */
function perChannel(n: IrNode & { layer: { kind: 'affine' } }, channels: number): ((values: Float32Array) => (o: number) => number) | null {
  const shape = n.layer.shape;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 1) return (v) => () => v[0]!;
  if (shape[shape.length - 1] === channels && size === channels) return (v) => (o) => v[o]!;
  return null;
}

const foldAffine: Pass = (ir, ctx) => {
  for (const a of ir.nodes) {
    if (!of(a, 'affine')) continue;
    const w = ir.nodes.find((n) => n.id === a.inputs[0]);
    if (w === undefined || (!of(w, 'conv2d') && !of(w, 'linear')) || only(ir, w.id, ctx) !== a) continue;
    const out = w.layer.kind === 'conv2d' ? w.layer.filters : w.layer.units;
    const pick = perChannel(a, out);
    if (pick === null) continue;
    const s = a.params['scale'] ? pick(a.params['scale']) : () => 1;
    const b = a.params['bias'] ? pick(a.params['bias']) : () => 0;
    const kernel = w.params['kernel']!;
    w.params['kernel'] = kernel.map((x, i) => x * s(i % out));
    const old = w.params['bias'];
    w.params['bias'] = Float32Array.from({ length: out }, (_, o) => (old?.[o] ?? 0) * s(o) + b(o));
    w.layer = { ...w.layer, useBias: true };
    ctx.report.folded.push({ node: a.from.node, opType: a.from.op, into: w.from.node });
    replace(ir, ctx, a.id, w.id);
    return true;
  }
  return false;
};

function fuse(ir: Ir, ctx: PassContext, keep: IrNode, drop: IrNode[], fn: IrNode['layer'], x: string, what: string): void {
  keep.layer = fn;
  keep.inputs = [x];
  keep.params = {};
  ctx.report.fused.push({ layer: keep.id, fn: what, nodes: [...drop.map((d) => d.from.node), keep.from.node] });
  for (const d of drop) ir.remove(d.id);
}

const fuseActivations: Pass = (ir, ctx) => {
  for (const m of ir.nodes) {
    // relu6(x + 3) / 6 → hardSigmoid(x); then x · hardSigmoid(x) → hardSwish.
    if (of(m, 'affine') && m.layer.scale && !m.layer.bias && allEqual(m.params['scale'], 1 / 6)) {
      const r = ir.nodes.find((n) => n.id === m.inputs[0]);
      const add = r && ir.nodes.find((n) => n.id === r.inputs[0]);
      if (fnOf(r) === 'relu6' && only(ir, r!.id, ctx) === m && of(add, 'affine') && !add.layer.scale && allEqual(add.params['bias'], 3) && only(ir, add.id, ctx) === r) {
        fuse(ir, ctx, m, [add, r!], { kind: 'activation', fn: 'hardSigmoid', alpha: 1 / 6, beta: 0.5 }, add.inputs[0]!, 'hardSigmoid');
        return true;
      }
      // (x · relu6(x + 3)) / 6 → hardSwish(x)
      const mul = r;
      if (of(mul, 'mul') && only(ir, mul.id, ctx) === m) {
        for (const k of [0, 1]) {
          const rr = ir.nodes.find((n) => n.id === mul.inputs[k]);
          const aa = rr && ir.nodes.find((n) => n.id === rr.inputs[0]);
          const x = mul.inputs[1 - k]!;
          if (fnOf(rr) === 'relu6' && only(ir, rr!.id, ctx) === mul && of(aa, 'affine') && !aa.layer.scale && allEqual(aa.params['bias'], 3) && aa.inputs[0] === x && only(ir, aa.id, ctx) === rr) {
            fuse(ir, ctx, m, [mul, rr!, aa], { kind: 'activation', fn: 'hardSwish' }, x, 'hardSwish');
            return true;
          }
        }
      }
    }
    if (!of(m, 'mul')) continue;
    for (const k of [0, 1]) {
      const g = ir.nodes.find((n) => n.id === m.inputs[k]);
      const x = m.inputs[1 - k]!;
      if (g === undefined || g.inputs[0] !== x || only(ir, g.id, ctx) !== m) continue;
      if (fnOf(g) === 'sigmoid') {
        fuse(ir, ctx, m, [g], { kind: 'activation', fn: 'silu' }, x, 'silu');
        return true;
      }
      if (g.layer.kind === 'activation' && g.layer.fn === 'hardSigmoid' && near(g.layer.alpha, 1 / 6) && near(g.layer.beta, 0.5)) {
        fuse(ir, ctx, m, [g], { kind: 'activation', fn: 'hardSwish' }, x, 'hardSwish');
        return true;
      }
    }
  }
  // relu then relu6 (or a clip at 0) is the bounded one alone.
  for (const r of ir.nodes) {
    if (fnOf(r) !== 'relu') continue;
    const next = only(ir, r.id, ctx);
    if (fnOf(next) === 'relu6' || fnOf(next) === 'relu') {
      replace(ir, ctx, r.id, r.inputs[0]!);
      ctx.report.fused.push({ layer: next!.id, fn: fnOf(next)!, nodes: [r.from.node, next!.from.node] });
      return true;
    }
  }
  return false;
};

/** A zero constant pad of H and W only, as explicit padding, or null. */
function spatialPad(p: IrNode): ExplicitPadding | null {
  if (!of(p, 'pad') || p.layer.mode !== 'constant' || p.layer.value !== 0 || p.layer.pads.length !== 3) return null;
  const [[top, bottom], [left, right], [c0, c1]] = p.layer.pads as [[number, number], [number, number], [number, number]];
  return c0 === 0 && c1 === 0 ? { top, bottom, left, right } : null;
}

const foldPad: Pass = (ir, ctx) => {
  for (const p of ir.nodes) {
    const pads = spatialPad(p);
    if (pads === null) continue;
    const next = only(ir, p.id, ctx);
    if (next === undefined) continue;
    const add = (q: 'valid' | ExplicitPadding): ExplicitPadding => {
      const e = q === 'valid' ? { top: 0, bottom: 0, left: 0, right: 0 } : q;
      return { top: e.top + pads.top, bottom: e.bottom + pads.bottom, left: e.left + pads.left, right: e.right + pads.right };
    };
    if (of(next, 'conv2d') && next.layer.padding !== 'same') {
      next.layer = { ...next.layer, padding: add(next.layer.padding) };
    } else if (of(next, 'avgPool') && next.layer.padding === 'valid' && !next.layer.ceilMode) {
      // The padded zeros were real inputs of the pool: they count in the average.
      const [kh, kw] = pair(next.layer.poolSize);
      if (Math.max(pads.top, pads.bottom) >= kh || Math.max(pads.left, pads.right) >= kw) continue;
      next.layer = { ...next.layer, padding: add('valid'), countIncludePad: true };
    } else continue;
    ctx.report.folded.push({ node: p.from.node, opType: p.from.op, into: next.from.node });
    replace(ir, ctx, p.id, p.inputs[0]!);
    return true;
  }
  return false;
};

const foldFlatten: Pass = (ir, ctx) => {
  for (const f of ir.nodes) {
    if (!of(f, 'flatten')) continue;
    const src = ir.shapeOf(f.inputs[0]!);
    // A flatten of [1, 1, C] (after a keepDims global pool): the pool without keepDims.
    const pool = ir.nodes.find((n) => n.id === f.inputs[0]);
    if ((of(pool, 'globalAvgPool') || of(pool, 'globalMaxPool')) && pool.layer.keepDims && only(ir, pool.id, ctx) === f) {
      pool.layer = { ...pool.layer, keepDims: false };
      pool.shape = [...f.shape];
      ctx.report.removed.push({ node: f.from.node, opType: f.from.op, reason: 'no-op: the value is already flat' });
      replace(ir, ctx, f.id, pool.id);
      return true;
    }
    if (f.layer.order !== 'chw') continue;
    if (src.length !== 3 || src[2] === 1 || src[0]! * src[1]! === 1) {
      f.layer = { ...f.layer, order: undefined };
      return true;
    }
    const lin = only(ir, f.id, ctx);
    if (!of(lin, 'linear')) continue;
    // Row r of the ONNX kernel reads feature (c, h, w); spikelite's flatten puts it at (h, w, c).
    const [h, w, c] = src as [number, number, number];
    const m = lin.layer.units;
    const k = lin.params['kernel']!;
    const out = new Float32Array(k.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out.set(k.subarray(((ch * h + y) * w + x) * m, ((ch * h + y) * w + x + 1) * m), ((y * w + x) * c + ch) * m);
    lin.params['kernel'] = out;
    f.layer = { ...f.layer, order: undefined };
    return true;
  }
  return false;
};

const cancelTransposes: Pass = (ir, ctx) => {
  for (const a of ir.nodes) {
    if (!of(a, 'transpose')) continue;
    const b = only(ir, a.id, ctx);
    if (!of(b, 'transpose')) continue;
    const p = a.layer.perm;
    const q = b.layer.perm;
    if (q.every((v, i) => p[v] === i)) {
      replace(ir, ctx, b.id, a.inputs[0]!);
      ir.remove(a.id);
      return true;
    }
  }
  return false;
};

const PASSES: Pass[] = [cancelTransposes, foldAffine, fuseActivations, foldPad, foldFlatten];

/** Runs every pass until none applies; returns the (possibly new) output node id. */
export function runPasses(ir: Ir, output: string, report: ImportReport): string {
  const ctx: PassContext = { output, report };
  ir.prune(ctx.output);
  for (let guard = 0; guard < 100_000; guard++) {
    if (!PASSES.some((p) => p(ir, ctx))) break;
  }
  ir.prune(ctx.output);
  return ctx.output;
}
