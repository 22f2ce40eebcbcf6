/** Element-wise activations: each becomes an `activation` layer (a neuron position in an SNN). */
import type { LayerInput } from '@spikelite/schemas';
import type { OpContext } from '../context.js';
import type { OpHandler } from './types.js';

type ActivationInput = Extract<LayerInput, { kind: 'activation' }>;

function activation(make: (ctx: OpContext) => Omit<ActivationInput, 'kind'>, params?: (ctx: OpContext) => Record<string, Float32Array>) {
  return (ctx: OpContext): void => {
    const v = ctx.data(0);
    ctx.produce({ kind: 'activation', ...make(ctx) }, [v], v.layout, params?.(ctx) ?? {});
  };
}

/** Clip bounds: inputs since opset 11 (optional), attributes before. */
function clipFn(ctx: OpContext): Omit<ActivationInput, 'kind'> {
  let min: number | undefined;
  let max: number | undefined;
  if (ctx.opset >= 11) {
    if (ctx.has(1)) min = ctx.floats(1, 'min').data[0];
    if (ctx.has(2)) max = ctx.floats(2, 'max').data[0];
  } else {
    const a = ctx.attr('min');
    const b = ctx.attr('max');
    if (a) min = a.f ?? 0;
    if (b) max = b.f ?? 0;
  }
  // float32 ±FLT_MAX bounds (exporters write them for "none") mean unbounded.
  if (min !== undefined && min <= -3.4e38) min = undefined;
  if (max !== undefined && max >= 3.4e38) max = undefined;
  if (min === 0 && max === 6) return { fn: 'relu6' };
  if (min === 0 && max === undefined) return { fn: 'relu' };
  return { fn: 'clip', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function prelu(ctx: OpContext): void {
  const v = ctx.data(0);
  const slope = ctx.constantFor(v, ctx.floats(1, 'slope'), 'slope');
  ctx.produce({ kind: 'activation', fn: 'prelu', slopeShape: slope.shape.length === 0 ? [1] : slope.shape }, [v], v.layout, { slope: slope.data });
}

export const activationHandlers: OpHandler[] = [
  { opType: 'Relu', import: activation(() => ({ fn: 'relu' })) },
  { opType: 'Clip', import: activation(clipFn) },
  { opType: 'Sigmoid', import: activation(() => ({ fn: 'sigmoid' })) },
  { opType: 'HardSigmoid', import: activation((ctx) => ({ fn: 'hardSigmoid', alpha: ctx.float('alpha', 0.2), beta: ctx.float('beta', 0.5) })) },
  { opType: 'HardSwish', import: activation(() => ({ fn: 'hardSwish' })) },
  { opType: 'Tanh', import: activation(() => ({ fn: 'tanh' })) },
  { opType: 'LeakyRelu', import: activation((ctx) => ({ fn: 'leakyRelu', alpha: ctx.float('alpha', 0.01) })) },
  { opType: 'Elu', import: activation((ctx) => ({ fn: 'elu', alpha: ctx.float('alpha', 1) })) },
  { opType: 'Gelu', import: activation((ctx) => ({ fn: 'gelu', approximate: ctx.string('approximate', 'none') === 'tanh' ? 'tanh' : 'none' })) },
  { opType: 'SiLU', import: activation(() => ({ fn: 'silu' })) },
  { opType: 'Swish', import: activation(() => ({ fn: 'silu' })) },
  { opType: 'PRelu', import: prelu },
];
