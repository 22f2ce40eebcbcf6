/** Shared by the convolution and pooling handlers: padding attributes and 1-D ops as 2-D. */
import type { ExplicitPadding } from '@spikelite/schemas';
import type { OpContext } from '../context.js';
import type { DataValue } from '../values.js';

/** Padding (before, after) of SAME_UPPER / SAME_LOWER for one axis. */
function same(size: number, k: number, stride: number, dilation: number, lower: boolean): [number, number] {
  const extent = (k - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + extent - size, 0);
  const small = Math.floor(total / 2);
  return lower ? [total - small, small] : [small, total - small];
}

/** Explicit pads from `pads` or `auto_pad` (a 1-D op's pads apply to the width). */
export function autoPads(
  ctx: OpContext,
  [h, w]: [number, number],
  [kh, kw]: [number, number],
  [sh, sw]: [number, number],
  [dh, dw]: [number, number],
  oned: boolean,
): ExplicitPadding {
  const mode = ctx.string('auto_pad', 'NOTSET');
  if (mode === 'NOTSET') {
    const p = ctx.ints('pads');
    if (p === undefined) return { top: 0, bottom: 0, left: 0, right: 0 };
    if (p.some((v) => v < 0)) throw ctx.fail(`negative pads [${p}] are not supported`);
    if (oned) return { top: 0, bottom: 0, left: p[0]!, right: p[1]! };
    if (p.length !== 4) throw ctx.fail(`pads [${p}]: expected 4 values for a 2-D op`);
    return { top: p[0]!, left: p[1]!, bottom: p[2]!, right: p[3]! };
  }
  if (mode === 'VALID') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    const lower = mode === 'SAME_LOWER';
    const [top, bottom] = oned ? [0, 0] : same(h, kh, sh, dh, lower);
    const [left, right] = same(w, kw, sw, dw, lower);
    return { top, bottom, left, right };
  }
  throw ctx.fail(`auto_pad=${mode} is not supported`);
}

/** A 1-D value [C, L] as a 2-D image [C, 1, L] (held NHWC). */
export function as2d(ctx: OpContext, v: DataValue): DataValue {
  if (v.dims.length !== 2 || !ctx.batched) throw ctx.fail(`expects [N, C, L] for a 1-D op, got ${ctx.describe(v)}`);
  const plain = ctx.plain(v);
  const r = ctx.valueOf(ctx.emit({ kind: 'reshape', shape: [v.dims[0]!, 1, v.dims[1]!] }, [plain]), 'plain');
  return ctx.nhwc(r);
}

/** The 2-D result [C, 1, L'] of a 1-D op back as [C, L']. */
export function from2d(ctx: OpContext, v: DataValue): DataValue {
  const plain = ctx.plain(v);
  return ctx.valueOf(ctx.emit({ kind: 'reshape', shape: [v.dims[0]!, v.dims[2]!] }, [plain]), 'plain');
}

/** `n` when both axes agree, else the pair (specs read as people write them). */
export const one = (a: number, b: number): number | [number, number] => (a === b ? a : [a, b]);
