/**
 * The FS-neuron functional core (SPEC §3a, `fs_coding.py` convention). For t = 1..K:
 *
 *     v(1)   = x
 *     z(t)   = H(v(t) − T(t))
 *     out   += d(t)·z(t)
 *     v(t+1) = v(t) − h(t)·z(t)
 *
 * H(0) = 1 here (a spike when v(t) ≥ T(t)). The reference code fires on v > T; the two differ
 * only when v(t) equals T(t) exactly, and H(0) = 1 is what makes the ReLU set an exact floor
 * quantizer on the quantization grid points too (SPEC §3g.1).
 *
 * Two forms: a scalar/array one in plain JavaScript (for fitting and tests; float64, or float32
 * emulated with Math.fround so it matches tensors bit for bit) and a tensor one whose spike
 * has the surrogate gradient ∂z/∂v_s = max(0, 1 − |v_s|), v_s = (v − T)/(|v| + 1) (SPEC §3c),
 * so gradients can flow through FS neurons (and into h, d, T when they are tensors).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FsCoefficients, SurrogateSpec } from '@spikelite/schemas';
import { checkFsCoefficients } from './coefficients.js';
import { surrogateDerivative } from './surrogate.js';

/** SPEC §3c: the FS fitting surrogate max(0, 1 − |v_s|). */
export const FS_DEFAULT_SURROGATE: SurrogateSpec = { kind: 'triangle', width: 1 };

// ---------------------------------------------------------------- scalar / array form

export interface FsScalarResult {
  /** f̂(x) = Σ_t d(t)·z(t). */
  readonly output: number;
  /** Σ_t z(t). */
  readonly spikes: number;
}

export interface FsArrayOptions {
  /** Emulate float32 arithmetic (as tensors compute) instead of float64. Default false. */
  readonly float32?: boolean;
}

/** One FS neuron on one input, in float64 (or emulated float32). */
export function fsScalar(x: number, coeffs: FsCoefficients, options: FsArrayOptions = {}): FsScalarResult {
  const K = checkFsCoefficients(coeffs);
  return fsScalarUnchecked(x, coeffs, K, options.float32 === true);
}

function fsScalarUnchecked(x: number, c: FsCoefficients, K: number, f32: boolean): FsScalarResult {
  const r = f32 ? Math.fround : (a: number) => a;
  let v = r(x);
  let out = 0;
  let spikes = 0;
  for (let t = 0; t < K; t++) {
    if (v >= r(c.T[t]!)) {
      out = r(out + r(c.d[t]!));
      spikes++;
      v = r(v - r(c.h[t]!));
    }
  }
  return { output: out, spikes };
}

/** FS neurons on every element of `xs`. */
export function fsForwardArray(
  xs: ArrayLike<number>,
  coeffs: FsCoefficients,
  options: FsArrayOptions = {},
): { output: Float64Array; spikeCount: Float64Array } {
  const K = checkFsCoefficients(coeffs);
  const f32 = options.float32 === true;
  const output = new Float64Array(xs.length);
  const spikeCount = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const r = fsScalarUnchecked(xs[i]!, coeffs, K, f32);
    output[i] = r.output;
    spikeCount[i] = r.spikes;
  }
  return { output, spikeCount };
}

// ---------------------------------------------------------------- tensor form

/**
 * z = H(v − T) with the FS surrogate: ∂z/∂v = σ'(v_s)·∂v_s/∂v and ∂z/∂T = σ'(v_s)·∂v_s/∂T,
 * v_s = (v − T)/(|v| + 1) (the reference code differentiates through v_s; d|v|/dv = sign(v),
 * 0 at v = 0). `T` is a scalar tensor (shape [] or [1]); its gradient is summed to that shape.
 */
export function fsSpikeFunction(surrogate: SurrogateSpec = FS_DEFAULT_SURROGATE): (v: tf.Tensor, T: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const v = args[0] as tf.Tensor;
    const T = args[1] as tf.Tensor;
    const save = args[2] as tf.GradSaveFunc;
    save([v, T]);
    return {
      value: tf.cast(tf.greaterEqual(v, T), 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sv, sT] = saved as [tf.Tensor, tf.Tensor];
        const a = tf.add(tf.abs(sv), 1);
        const diff = tf.sub(sv, sT);
        const g = tf.mul(dy, surrogateDerivative(surrogate, tf.div(diff, a)));
        const dvsDv = tf.sub(tf.div(1, a), tf.div(tf.mul(diff, tf.sign(sv)), tf.mul(a, a)));
        const dv = tf.mul(g, dvsDv);
        const dT = tf.reshape(tf.neg(tf.sum(tf.div(g, a))), sT.shape);
        return [dv, dT];
      },
    };
  }) as (v: tf.Tensor, T: tf.Tensor) => tf.Tensor;
}

export interface FsForwardOptions {
  /** Surrogate for ∂z/∂v_s; default the paper's triangle max(0, 1 − |v_s|). */
  readonly surrogate?: SurrogateSpec;
}

export interface FsForwardResult {
  /** Σ_t d(t)·z(t), same shape as the input. */
  readonly output: tf.Tensor;
  /** Σ_t z(t) per element. */
  readonly spikeCount: tf.Tensor;
}

/** Coefficients as tensors (1-D, length K), e.g. while fitting them with autograd. */
export interface FsCoefficientTensors {
  readonly h: tf.Tensor;
  readonly d: tf.Tensor;
  readonly T: tf.Tensor;
}

/**
 * FS neurons on every element of `x` (any shape), float32. Differentiable in x through the
 * surrogate. Does not dispose `x`; the caller owns the results.
 */
export function fsForward(x: tf.Tensor, coeffs: FsCoefficients, options: FsForwardOptions = {}): FsForwardResult {
  const K = checkFsCoefficients(coeffs);
  const spike = fsSpikeFunction(options.surrogate ?? FS_DEFAULT_SURROGATE);
  return tf.tidy(() => {
    const res = runFs(x, K, spike, (t) => tf.scalar(coeffs.T[t]!), (t) => coeffs.d[t]!, (t) => coeffs.h[t]!);
    return { output: res.output, spikeCount: res.spikeCount };
  });
}

/**
 * FS neurons with the coefficients as 1-D tensors; also returns v_s(t) per step (for the fit
 * loss's regularizer). Differentiable in x, h, d and T.
 */
export function fsForwardTensors(
  x: tf.Tensor,
  coeffs: FsCoefficientTensors,
  options: FsForwardOptions = {},
): FsForwardResult & { readonly vScaled: tf.Tensor[] } {
  const K = coeffs.h.size;
  if (coeffs.h.rank !== 1 || coeffs.d.size !== K || coeffs.T.size !== K || coeffs.d.rank !== 1 || coeffs.T.rank !== 1) {
    throw new Error(`fsForwardTensors: h, d, T must be 1-D of one length, got ${coeffs.h.shape}, ${coeffs.d.shape}, ${coeffs.T.shape}`);
  }
  const spike = fsSpikeFunction(options.surrogate ?? FS_DEFAULT_SURROGATE);
  const at = (p: tf.Tensor, t: number) => tf.reshape(tf.slice(p, [t], [1]), []);
  return runFs(x, K, spike, (t) => at(coeffs.T, t), (t) => at(coeffs.d, t), (t) => at(coeffs.h, t), true);
}

function runFs(
  x: tf.Tensor,
  K: number,
  spike: (v: tf.Tensor, T: tf.Tensor) => tf.Tensor,
  T: (t: number) => tf.Tensor,
  d: (t: number) => tf.Tensor | number,
  h: (t: number) => tf.Tensor | number,
  keepScaled = false,
): FsForwardResult & { vScaled: tf.Tensor[] } {
  let v: tf.Tensor = x;
  let output: tf.Tensor = tf.zerosLike(x);
  let spikeCount: tf.Tensor = tf.zerosLike(x);
  const vScaled: tf.Tensor[] = [];
  for (let t = 0; t < K; t++) {
    const Tt = T(t);
    if (keepScaled) {
      // |v| as v·sign(v): gradient sign(v), 0 at v = 0 (tf.abs's gradient is −1 there).
      vScaled.push(tf.div(tf.sub(v, Tt), tf.add(tf.mul(v, tf.sign(v)), 1)));
    }
    const z = spike(v, Tt);
    output = tf.add(output, tf.mul(z, d(t)));
    spikeCount = tf.add(spikeCount, z);
    // h(K) is never used (SPEC §3a: the stored sets end with h = 0).
    if (t < K - 1) v = tf.sub(v, tf.mul(z, h(t)));
  }
  return { output, spikeCount, vScaled };
}
