/**
 * IF and LIF (neurons/src/lif.ts), as the fused kernel computes them: float32 in the same order,
 * the spike test exact (u₁ > θ for θ > 0, the composed u₁/θ − 1 > 0 or u₁ − θ > 0 otherwise),
 * per-layer or per-channel λ and θ, order 'current' or 'previous', soft or hard reset.
 * Spikes are written dense and listed as events. SIMD (simd.ts) when the channels come in
 * fours and every θ > 0; the JavaScript loop otherwise.
 */
import { surrogateDomain, type NeuronLayer } from '@spikelite/neurons';
import { lifKernel } from '../simd.js';
import type { NeuronHandler } from './types.js';

const fr = Math.fround;

/** One step over an image's neurons; writes spikes S and lists them in `events`. Returns their count. */
export function lifStepArrays(
  I: Float32Array, U: Float32Array, S: Float32Array, events: Int32Array,
  lam: Float32Array, th: Float32Array, p: { current: boolean; hard: boolean; normalized: boolean },
): number {
  const C = th.length;
  let n = 0;
  for (let i = 0, c = 0; i < I.length; i++) {
    const t = th[c]!;
    const lu = fr(lam[c]! * U[i]!);
    const v = p.current ? fr(lu + I[i]!) : U[i]!;
    const s = t > 0 ? +(v > t) : +((p.normalized ? fr(fr(v / t) - 1) : fr(v - t)) > 0);
    S[i] = s;
    if (s) events[n++] = i;
    if (p.current) U[i] = p.hard ? v - v * s : v - t * s;
    else U[i] = p.hard ? lu * (1 - s) + I[i]! : fr(lu + I[i]!) - t * s;
    if (++c === C) c = 0;
  }
  return n;
}

function channelParam(layer: NeuronLayer & { getParameter(n: string): number[] }, name: string, channels: number): Float32Array {
  const v = layer.getParameter(name);
  // Per-layer: one value for every channel (the loop indexes by channel either way).
  return Float32Array.from(v.length === 1 ? new Array<number>(channels).fill(v[0]!) : v);
}

export const lifHandler: NeuronHandler = {
  kinds: ['if', 'lif'],
  compile(layer, node, x, ctx) {
    if (layer.mode !== 'step' || (layer.spec.kind !== 'if' && layer.spec.kind !== 'lif')) throw new Error(`${node.path}: not an IF/LIF layer`);
    const spec = layer.spec;
    const C = node.input[node.input.length - 1]!;
    const th = channelParam(layer, 'threshold', C);
    const lam = spec.kind === 'lif' ? channelParam(layer, 'leak', C) : new Float32Array(C).fill(1);
    const p = {
      current: spec.kind === 'if' || spec.order === 'current',
      hard: spec.reset === 'hard',
      normalized: surrogateDomain(spec.surrogate.kind) === 'normalized',
    };
    const out = ctx.value(node.output, true);
    out.binary = true;
    const U = ctx.arena.f32(out.size);
    // SIMD on rows of C neurons (C a multiple of 4, every θ > 0: the spike test is then v > θ).
    const simd = C % 4 === 0 && th.every((t) => t > 0) && ctx.simd ? lifKernel(ctx.simd, p.current, p.hard) : null;
    const lamA = simd ? ctx.arena.f32(C) : lam;
    const thA = simd ? ctx.arena.f32(C) : th;
    lamA.set(lam);
    thA.set(th);
    const pixels = out.size / C;
    // u(0) = f·θ per channel (float32, as tfjs computes 0 + θ·f), or 0.
    const f = spec.initialPotential;
    const U0 = f === 0 ? null : Float32Array.from({ length: out.size }, (_, i) => fr(th[i % C]! * f));
    const step = {
      path: node.path,
      output: out,
      spikes: 0,
      begin: () => (U0 ? U.set(U0) : U.fill(0)),
      step() {
        step.spikes = out.count = simd
          ? simd(x.data.byteOffset, U.byteOffset, out.data.byteOffset, out.events.byteOffset, pixels, C, lamA.byteOffset, thA.byteOffset)
          : lifStepArrays(x.data, U, out.data, out.events, lam, th, p);
      },
    };
    return step;
  },
};
