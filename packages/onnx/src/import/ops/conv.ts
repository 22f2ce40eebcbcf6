/** Conv (1-D and 2-D; grouped, depthwise, dilated, asymmetric and automatic padding). */
import type { OpContext } from '../context.js';
import { autoPads, as2d, from2d, one } from './spatial.js';
import type { OpHandler } from './types.js';

/** ONNX OIHW → spikelite HWIO. */
function oihwToHwio(w: Float32Array, [o, i, h, k]: readonly number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o!; a++)
    for (let b = 0; b < i!; b++) for (let y = 0; y < h!; y++) for (let x = 0; x < k!; x++) out[((y * k! + x) * i! + b) * o! + a] = w[((a * i! + b) * h! + y) * k! + x]!;
  return out;
}

function conv(ctx: OpContext): void {
  ctx.onlyAttributes(['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides']);
  const w = ctx.floats(1, 'weight');
  if (w.dims.length !== 3 && w.dims.length !== 4) throw ctx.fail(`weight dims [${w.dims}]: only 1-D and 2-D convolutions are supported`);
  const oned = w.dims.length === 3;
  const x = oned ? as2d(ctx, ctx.data(0)) : ctx.image(0);
  const dims4 = oned ? [w.dims[0]!, w.dims[1]!, 1, w.dims[2]!] : w.dims;
  const [cout, cg, kh, kw] = dims4 as [number, number, number, number];
  const [c, h, wd] = x.dims as [number, number, number];
  const g = ctx.int('group', 1);
  if (c !== cg * g) throw ctx.fail(`the input has ${c} channels; the weight [${w.dims}] with group=${g} expects ${cg * g}`);
  const ks = ctx.ints('kernel_shape');
  if (ks !== undefined && ks.join() !== (oned ? [kw] : [kh, kw]).join()) throw ctx.fail(`kernel_shape [${ks}] does not match the weight [${w.dims}]`);
  const lift = (v: number[] | undefined, def: number): [number, number] => (v === undefined ? [def, def] : oned ? [def, v[0]!] : [v[0]!, v[1]!]);
  const [sh, sw] = lift(ctx.ints('strides'), 1);
  const [dh, dw] = lift(ctx.ints('dilations'), 1);
  const pads = autoPads(ctx, [h, wd], [kh, kw], [sh, sw], [dh, dw], oned);
  const b = ctx.has(2) ? ctx.floats(2, 'bias') : undefined;
  if (b !== undefined && b.data.length !== cout) throw ctx.fail(`bias has ${b.data.length} values for ${cout} output channels`);
  const zero = pads.top + pads.bottom + pads.left + pads.right === 0;
  const y = ctx.valueOf(
    ctx.emit(
      { kind: 'conv2d', filters: cout, kernelSize: one(kh, kw), strides: one(sh, sw), dilations: one(dh, dw), padding: zero ? 'valid' : pads, groups: g, useBias: b !== undefined },
      [x],
      { kernel: oihwToHwio(w.data, dims4), ...(b ? { bias: b.data } : {}) },
    ),
    'nhwc',
  );
  ctx.setOutput(0, oned ? from2d(ctx, y) : y);
}

export const convHandlers: OpHandler[] = [{ opType: 'Conv', import: conv }];
