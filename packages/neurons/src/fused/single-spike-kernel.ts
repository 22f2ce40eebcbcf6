/**
 * The single-spike LIF step (single-spike-lif.ts) as one pass for inference: when no
 * gradient is being recorded, the ~14 composed tfjs ops of a step (each a pass over memory,
 * comparisons and casts the slowest on wasm) become one loop over the four state arrays.
 *
 * Bit for bit the composed step: u₁ = fround(fround(λ·u) + I) (or u where 'freeze' and
 * fired); the spike is u₁ > θ for θ > 0 (exactly the composed fround(u₁/θ) − 1 > 0 or
 * u₁ − θ > 0, see lif-kernel.ts), the exact float32 test otherwise; s = spike·(1 − fired);
 * u = u₁·(1 − s) ('reset') or u₁; fired + s; spikeTime + s·(t − spikeTime). Registered for
 * cpu and wasm (SIMD in the heap there, single-spike-simd.ts); training (tape on) keeps the
 * composed ops and their surrogate gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmHeapMemory } from '@spikelite/engine';
import { io, type TensorInfoLike } from './lif-kernel.js';
import { singleSpikeSimdFor } from './single-spike-simd.js';

export const SINGLE_SPIKE_FORWARD_KERNEL = 'SpikeliteSingleSpikeLifForward';

interface Attrs {
  t: number;
  freeze: boolean;
  normalized: boolean;
}

const fr = Math.fround;

function forwardLoop(I: Float32Array, U: Float32Array, F: Float32Array, ST: Float32Array, lam: number, th: number, a: Attrs, S: Float32Array, Un: Float32Array, Fn: Float32Array, STn: Float32Array): void {
  const exact = !(th > 0);
  const t = a.t;
  for (let i = 0; i < I.length; i++) {
    const up = U[i]!;
    const f = F[i]!;
    let u1 = fr(fr(lam * up) + I[i]!);
    if (a.freeze && f !== 0) u1 = up;
    const h = exact ? +((a.normalized ? fr(fr(u1 / th) - 1) : fr(u1 - th)) > 0) : +(u1 > th);
    const s = fr(h * fr(1 - f));
    S[i] = s;
    Un[i] = a.freeze ? u1 : fr(u1 * fr(1 - s));
    Fn[i] = fr(f + s);
    const st = ST[i]!;
    STn[i] = fr(st + fr(s * fr(t - st)));
  }
}

function makeKernel(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: SINGLE_SPIKE_FORWARD_KERNEL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, u, fired, spikeTime, leak, threshold } = inputs as unknown as Record<'x' | 'u' | 'fired' | 'spikeTime' | 'leak' | 'threshold', TensorInfoLike>;
      const a = attrs as unknown as Attrs;
      const shape = x.shape;
      const memory = backendName === 'wasm' ? wasmHeapMemory(backend) : null;
      const simd = memory !== null ? singleSpikeSimdFor(memory) : null;
      const { ins, outs, infos, offsets } = io(backendName, backend, [x, u, fired, spikeTime, leak, threshold], [shape, shape, shape, shape]);
      const [I, U, F, ST, L, Th] = ins as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
      const [S, Un, Fn, STn] = outs as [Float32Array, Float32Array, Float32Array, Float32Array];
      const lam = L[0]!;
      const th = Th[0]!;
      let done = 0;
      if (simd !== null && th > 0) {
        // 4 at a time in the heap; the JavaScript loop takes the last n mod 4.
        done = I.length & ~3;
        const [oI, oU, oF, oST, , , oS, oUn, oFn, oSTn] = offsets as number[];
        (a.freeze ? simd.freeze : simd.reset)(oI!, oU!, oF!, oST!, oS!, oUn!, oFn!, oSTn!, done * 4, lam, th, a.t);
      }
      const rest = (v: Float32Array) => v.subarray(done);
      forwardLoop(rest(I), rest(U), rest(F), rest(ST), lam, th, a, rest(S), rest(Un), rest(Fn), rest(STn));
      return infos as unknown as tf.TensorInfo[];
    },
  };
}

let registered = false;

function register(): void {
  if (registered) return;
  for (const b of ['cpu', 'wasm'] as const) if (tf.getKernel(SINGLE_SPIKE_FORWARD_KERNEL, b) === undefined) tf.registerKernel(makeKernel(b));
  registered = true;
}

/** True when the engine records no gradient now (no tf.grad / variableGrads in progress). */
export function tapeOff(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth === 0;
}

export interface SingleSpikeFusedInput {
  input: tf.Tensor;
  u: tf.Tensor;
  fired: tf.Tensor;
  spikeTime: tf.Tensor;
  leak: tf.Tensor;
  threshold: tf.Tensor;
  t: number;
  freeze: boolean;
  normalized: boolean;
}

/**
 * One step with the fused kernel, or null when it does not apply (a gradient is being
 * recorded, a backend other than cpu/wasm, λ or θ not scalars, non-float32 tensors).
 */
export function singleSpikeLifForwardFused(p: SingleSpikeFusedInput): { spikes: tf.Tensor; u: tf.Tensor; fired: tf.Tensor; spikeTime: tf.Tensor } | null {
  if (!tapeOff()) return null;
  const b = tf.getBackend();
  if (b !== 'cpu' && b !== 'wasm') return null;
  if (p.leak.size !== 1 || p.threshold.size !== 1) return null;
  if ([p.input, p.u, p.fired, p.spikeTime].some((t) => t.dtype !== 'float32' || t.size !== p.input.size)) return null;
  register();
  const [spikes, u, fired, spikeTime] = tf.engine().runKernel(
    SINGLE_SPIKE_FORWARD_KERNEL,
    { x: p.input, u: p.u, fired: p.fired, spikeTime: p.spikeTime, leak: p.leak, threshold: p.threshold },
    { t: p.t, freeze: p.freeze, normalized: p.normalized } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor[];
  return { spikes: spikes!, u: u!, fired: fired!, spikeTime: spikeTime! };
}
