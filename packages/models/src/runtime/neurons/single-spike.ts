/**
 * Single-spike LIF (neurons/src/single-spike-lif.ts), as its fused kernel computes the spikes:
 * u₁ = fround(fround(λ·u) + I), spike u₁ > θ (exact test for θ ≤ 0), then reset or freeze.
 * A neuron that has fired never fires again and nothing downstream reads its potential, so it
 * is skipped: after the first steps most of the layer costs one load.
 */
import { surrogateDomain } from '@spikelite/neurons';
import type { NeuronHandler } from './types.js';

const fr = Math.fround;

/** One step; `F` marks fired neurons. Writes spikes S, lists them in `events`, returns their count. */
export function singleSpikeStepArrays(
  I: Float32Array, U: Float32Array, F: Uint8Array, S: Float32Array, events: Int32Array,
  lam: number, th: number, p: { freeze: boolean; normalized: boolean },
): number {
  let n = 0;
  for (let i = 0; i < I.length; i++) {
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
    const U = new Float32Array(out.size);
    const F = new Uint8Array(out.size);
    const step = {
      path: node.path,
      output: out,
      spikes: 0,
      begin: () => {
        U.fill(0);
        F.fill(0);
      },
      step() {
        step.spikes = out.count = singleSpikeStepArrays(x.data, U, F, out.data, out.events, fr(lam), fr(th), p);
      },
    };
    return step;
  },
};
