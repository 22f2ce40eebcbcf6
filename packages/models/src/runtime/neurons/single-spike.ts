/**
 * Single-spike LIF (neurons/src/single-spike-lif.ts), as its fused kernel computes the spikes:
 * u₁ = fround(fround(λ·u) + I), spike u₁ > θ (exact test for θ ≤ 0), then reset or freeze.
 * A neuron that has fired never fires again and nothing downstream reads its potential: the
 * JavaScript loop skips it, the SIMD kernel (simd.ts, groups of 4, branch-free) masks it.
 */
import { surrogateDomain } from '@spikelite/neurons';
import { singleSpikeKernel } from '../simd.js';
import type { NeuronHandler } from './types.js';

const fr = Math.fround;

/**
 * One step over neurons from..I.length; `F` marks fired neurons (0/1). Writes spikes S, lists
 * them in `events` from `n`, returns the new count.
 */
export function singleSpikeStepArrays(
  I: Float32Array, U: Float32Array, F: Float32Array, S: Float32Array, events: Int32Array,
  lam: number, th: number, p: { freeze: boolean; normalized: boolean }, from = 0, n = 0,
): number {
  for (let i = from; i < I.length; i++) {
    if (F[i]) {
      S[i] = 0;
      continue;
    }
    const u1 = fr(fr(lam * U[i]!) + I[i]!);
    const s = th > 0 ? u1 > th : (p.normalized ? fr(fr(u1 / th) - 1) : fr(u1 - th)) > 0;
    if (s) {
      S[i] = 1;
      F[i] = 1;
      events[n++] = i;
      U[i] = p.freeze ? u1 : 0;
    } else {
      S[i] = 0;
      U[i] = u1;
    }
  }
  return n;
}

export const singleSpikeHandler: NeuronHandler = {
  kinds: ['singleSpikeLif'],
  compile(layer, node, x, ctx) {
    if (layer.mode !== 'step' || layer.spec.kind !== 'singleSpikeLif') throw new Error(`${node.path}: not a single-spike LIF layer`);
    const [lam] = layer.getParameter('leak') as [number];
    const [th] = layer.getParameter('threshold') as [number];
    const p = { freeze: layer.spec.afterSpike === 'freeze', normalized: surrogateDomain(layer.spec.surrogate.kind) === 'normalized' };
    const out = ctx.value(node.output, true);
    out.binary = true;
    const U = ctx.arena.f32(out.size);
    const F = ctx.arena.f32(out.size);
    const L = fr(lam);
    const TH = fr(th);
    // SIMD on groups of 4 (θ > 0: the spike test is then u₁ > θ); the JavaScript loop takes the rest.
    const simd = TH > 0 && ctx.simd ? singleSpikeKernel(ctx.simd, p.freeze, L) : null;
    const head = simd ? out.size & ~3 : 0;
    const step = {
      path: node.path,
      output: out,
      spikes: 0,
      begin: () => {
        U.fill(0);
        F.fill(0);
      },
      step() {
        const n = simd ? simd(x.data.byteOffset, U.byteOffset, F.byteOffset, out.data.byteOffset, out.events.byteOffset, head, L, TH) : 0;
        step.spikes = out.count = head === out.size ? n : singleSpikeStepArrays(x.data, U, F, out.data, out.events, L, TH, p, head, n);
      },
    };
    return step;
  },
};
