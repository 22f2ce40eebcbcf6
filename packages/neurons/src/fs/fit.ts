/**
 * Fitting FS coefficients h, d, T to an activation function (SPEC §3c, §3d; `find_coeffs.py`).
 *
 *     loss = mean(imp·(f − f̂)²) + c·Σ_t (mean(max(|v_s(t)| − 1, 0)))²,   v_s = (v − T)/(|v| + 1)
 *
 * with c ~ U(0.08, 0.12) drawn at every step, the spike's surrogate ∂z/∂v_s = max(0, 1 − |v_s|),
 * Adam with the learning rate from U(0.09, 0.5), starts h ~ U(−1, 0), d ~ U(−0.5, 1),
 * T ~ U(−1, 1), random restarts, best kept.
 *
 * The gradients are written by hand (backpropagation through the K steps in float64 plain
 * JavaScript): the problem is one scalar function on a 1-D grid, where a hand loop is far
 * faster than tensor ops and gives the same numbers on every backend. `fsFitLossTensor` is the
 * same loss as a differentiable tfjs expression; a test checks the two gradients agree.
 *
 * Scale: the paper ran 100 restarts × ~5000 iterations (extended by 1000 on every improvement)
 * on 100,000 grid points. The defaults here (4 restarts × 800 iterations on 1,000 points) run
 * in about a second; raise them for production coefficients.
 *
 * Beyond the paper's script: `samples` fits on observed inputs instead of a uniform grid (the
 * MSE then follows the input distribution), `init` warm-starts restart 0 from a given set (the
 * published ones), and `spikePenalty` λ adds λ·mean(Σ_t z) to the loss (the script's spike
 * term, there with weight 0), differentiated through the same surrogate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spikelite/engine';
import type { Rng } from '@spikelite/engine';
import type { FsCoefficients } from '@spikelite/schemas';
import { checkFsCoefficients } from './coefficients.js';
import { fsForwardTensors } from './core.js';
import type { FsCoefficientTensors } from './core.js';

/** SPEC §3c: the regularizer weight c is drawn from U(0.08, 0.12) at every step. */
export const FS_FIT_REGULARIZER: readonly [number, number] = [0.08, 0.12];
/** SPEC §3d: Adam's learning rate is drawn from U(0.09, 0.5). */
export const FS_FIT_LR: readonly [number, number] = [0.09, 0.5];

// ---------------------------------------------------------------- the loss

export interface FsFitLossOptions {
  /** Regularizer weight c. Default 0.1, the middle of U(0.08, 0.12). */
  readonly c?: number;
  /** Per-point importance weights imp(x) (SPEC §3c); default 1 everywhere. */
  readonly importance?: ArrayLike<number>;
  /**
   * Weight λ of the spike-count term λ·mean(Σ_t z(t)) (SPEC §3c: present in `find_coeffs.py`
   * with weight 0). Its gradient flows through the same surrogate as the MSE's. Default 0.
   */
  readonly spikePenalty?: number;
}

export interface FsFitLossValue {
  /** mse + c·reg + λ·spikes. */
  readonly loss: number;
  /** mean(imp·(f − f̂)²). */
  readonly mse: number;
  /** Σ_t (mean(max(|v_s(t)| − 1, 0)))². */
  readonly reg: number;
  /** mean over the inputs of Σ_t z(t) (unweighted). */
  readonly spikes: number;
}

export interface FsFitGradient {
  readonly h: Float64Array;
  readonly d: Float64Array;
  readonly T: Float64Array;
}

/** The FS fit loss of `coeffs` on inputs `x` with targets `y` (float64). */
export function fsFitLoss(x: ArrayLike<number>, y: ArrayLike<number>, coeffs: FsCoefficients, options: FsFitLossOptions = {}): FsFitLossValue {
  const K = checkFsCoefficients(coeffs);
  const p = new FitProblem(x, y, K, options.importance);
  const { loss, mse, reg, spikes } = p.evaluate(packParams(coeffs), options.c ?? 0.1, null, options.spikePenalty ?? 0);
  return { loss, mse, reg, spikes };
}

/** The FS fit loss and its surrogate gradient with respect to h, d and T. */
export function fsFitLossGrad(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  coeffs: FsCoefficients,
  options: FsFitLossOptions = {},
): FsFitLossValue & { readonly grad: FsFitGradient } {
  const K = checkFsCoefficients(coeffs);
  const p = new FitProblem(x, y, K, options.importance);
  const g = new Float64Array(3 * K);
  const value = p.evaluate(packParams(coeffs), options.c ?? 0.1, g, options.spikePenalty ?? 0);
  return { ...value, grad: { h: g.slice(0, K), d: g.slice(K, 2 * K), T: g.slice(2 * K) } };
}

/**
 * The same loss as a tfjs scalar, differentiable in the coefficient tensors (and x): for
 * autograd users such as the losses package. Call inside `tf.tidy`.
 */
export function fsFitLossTensor(
  x: tf.Tensor,
  y: tf.Tensor,
  coeffs: FsCoefficientTensors,
  options: { readonly c?: number; readonly importance?: tf.Tensor; readonly spikePenalty?: number } = {},
): tf.Scalar {
  const { output, spikeCount, vScaled } = fsForwardTensors(x, coeffs);
  const sq = tf.square(tf.sub(y, output));
  const mse = tf.mean(options.importance === undefined ? sq : tf.mul(options.importance, sq));
  let reg: tf.Tensor = tf.scalar(0);
  for (const vs of vScaled) reg = tf.add(reg, tf.square(tf.mean(tf.relu(tf.sub(tf.abs(vs), 1)))));
  const loss = tf.add(mse, tf.mul(options.c ?? 0.1, reg));
  const lambda = options.spikePenalty ?? 0;
  return (lambda === 0 ? loss : tf.add(loss, tf.mul(lambda, tf.mean(spikeCount)))) as tf.Scalar;
}

function packParams(c: FsCoefficients): Float64Array {
  const K = c.h.length;
  const p = new Float64Array(3 * K);
  for (let t = 0; t < K; t++) {
    p[t] = c.h[t]!;
    p[K + t] = c.d[t]!;
    p[2 * K + t] = c.T[t]!;
  }
  return p;
}

function unpackParams(p: Float64Array, K: number): FsCoefficients {
  return { h: Array.from(p.subarray(0, K)), d: Array.from(p.subarray(K, 2 * K)), T: Array.from(p.subarray(2 * K, 3 * K)) };
}

/**
 * One grid and target, with buffers for the forward pass kept for the backward pass.
 * Parameters are packed [h(1..K), d(1..K), T(1..K)].
 */
class FitProblem {
  readonly n: number;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly imp: Float64Array | null;
  private readonly v: Float64Array; // v(t) per step, K × n
  private readonly z: Uint8Array; // z(t)
  private readonly vs: Float64Array; // v_s(t)
  private readonly out: Float64Array;
  private readonly vbar: Float64Array;
  private readonly regMean: Float64Array;

  constructor(
    x: ArrayLike<number>,
    y: ArrayLike<number>,
    readonly K: number,
    importance?: ArrayLike<number>,
  ) {
    if (x.length === 0) throw new Error('fs fit: no input points');
    if (y.length !== x.length) throw new Error(`fs fit: ${x.length} inputs but ${y.length} targets`);
    if (importance !== undefined && importance.length !== x.length) {
      throw new Error(`fs fit: ${x.length} inputs but ${importance.length} importance weights`);
    }
    this.n = x.length;
    this.x = Float64Array.from(x);
    this.y = Float64Array.from(y);
    this.imp = importance === undefined ? null : Float64Array.from(importance);
    this.v = new Float64Array(K * this.n);
    this.z = new Uint8Array(K * this.n);
    this.vs = new Float64Array(K * this.n);
    this.out = new Float64Array(this.n);
    this.vbar = new Float64Array(this.n);
    this.regMean = new Float64Array(K);
  }

  /** Loss at `p` (spike penalty λ); when `grad` is given, fills it with ∂loss/∂p. */
  evaluate(p: Float64Array, c: number, grad: Float64Array | null, lambda = 0): FsFitLossValue {
    const { n, K, x, y, imp, v, z, vs, out, vbar, regMean } = this;
    // forward
    out.fill(0);
    for (let i = 0; i < n; i++) v[i] = x[i]!;
    let reg = 0;
    let spikes = 0;
    for (let t = 0; t < K; t++) {
      const h = p[t]!;
      const d = p[K + t]!;
      const T = p[2 * K + t]!;
      const o = t * n;
      let rsum = 0;
      for (let i = 0; i < n; i++) {
        const vi = v[o + i]!;
        const s = (vi - T) / (Math.abs(vi) + 1);
        vs[o + i] = s;
        const a = Math.abs(s) - 1;
        if (a > 0) rsum += a;
        const zi = vi >= T ? 1 : 0;
        z[o + i] = zi;
        spikes += zi;
        if (zi) out[i] = out[i]! + d;
        if (t < K - 1) v[o + n + i] = zi ? vi - h : vi;
      }
      regMean[t] = rsum / n;
      reg += regMean[t]! * regMean[t]!;
    }
    let mse = 0;
    for (let i = 0; i < n; i++) {
      const e = out[i]! - y[i]!;
      mse += (imp === null ? 1 : imp[i]!) * e * e;
    }
    mse /= n;
    spikes /= n;
    const value = { loss: mse + c * reg + lambda * spikes, mse, reg, spikes };
    if (grad === null) return value;

    // backward: obar_i = ∂loss/∂out_i; vbar = ∂loss/∂v(t+1), zero beyond the last step
    grad.fill(0);
    vbar.fill(0);
    for (let t = K - 1; t >= 0; t--) {
      const h = p[t]!;
      const d = p[K + t]!;
      const T = p[2 * K + t]!;
      const o = t * n;
      const regScale = (2 * c * regMean[t]!) / n;
      let gh = 0;
      let gd = 0;
      let gT = 0;
      for (let i = 0; i < n; i++) {
        const vi = v[o + i]!;
        const zi = z[o + i]!;
        const s = vs[o + i]!;
        const obar = (2 * (imp === null ? 1 : imp[i]!) * (out[i]! - y[i]!)) / n;
        const vb = t < K - 1 ? vbar[i]! : 0; // v(K+1) is not computed, so it has no gradient
        gd += obar * zi;
        gh -= vb * zi;
        const zbar = obar * d - vb * h + lambda / n;
        const sur = 1 - Math.abs(s);
        let sbar = sur > 0 ? zbar * sur : 0;
        if (Math.abs(s) > 1) sbar += regScale * Math.sign(s);
        const a = Math.abs(vi) + 1;
        gT -= sbar / a;
        vbar[i] = vb + sbar * (1 / a - ((vi - T) * Math.sign(vi)) / (a * a));
      }
      grad[t] = gh;
      grad[K + t] = gd;
      grad[2 * K + t] = gT;
    }
    return value;
  }
}

// ---------------------------------------------------------------- importance

/**
 * The importance weighting of `find_coeffs.py` (SPEC §3c): piecewise linear through
 * (lo, 0.5), (m−3σ, 1), (m−2σ, 10), (m, 11), (m+2σ, 10), (m+3σ, 1), (hi, 0.5), constant
 * outside [lo, hi]. The script's own weight was 1 (no importance).
 */
export function fsImportance(mean: number, std: number, range: readonly [number, number]): (x: number) => number {
  const xp = [range[0], mean - 3 * std, mean - 2 * std, mean, mean + 2 * std, mean + 3 * std, range[1]];
  const fp = [0.5, 1, 10, 11, 10, 1, 0.5];
  for (let i = 1; i < xp.length; i++) {
    if (!(xp[i]! >= xp[i - 1]!)) throw new Error(`fsImportance: range [${range[0]}, ${range[1]}] must contain mean ± 3·std`);
  }
  return (x: number): number => {
    if (x <= xp[0]!) return fp[0]!;
    for (let i = 1; i < xp.length; i++) {
      if (x <= xp[i]!) {
        const x0 = xp[i - 1]!;
        const x1 = xp[i]!;
        const w = x1 > x0 ? (x - x0) / (x1 - x0) : 1;
        return fp[i - 1]! + w * (fp[i]! - fp[i - 1]!);
      }
    }
    return fp[fp.length - 1]!;
  };
}

// ---------------------------------------------------------------- the fitter

export interface FitFsOptions {
  /** Steps per neuron. */
  readonly K: number;
  /**
   * Input interval approximated (SPEC §3d: [−10, 10] for sigmoid), with `points` evenly spaced
   * inputs. Required unless `samples` are given.
   */
  readonly range?: readonly [number, number];
  /** Evenly spaced grid points over `range`, ends included. Default 1000 (paper 100,000). */
  readonly points?: number;
  /**
   * Fit on these inputs instead of a grid: e.g. a subsample of a layer's observed
   * pre-activations, so the MSE is weighted by the input distribution (point masses such as the
   * constant background of a first conv layer count with their frequency). Replaces `range`.
   */
  readonly samples?: ArrayLike<number>;
  /**
   * Warm start: restart 0 starts from these coefficients (length K) instead of a random draw,
   * and they are scored before the first step, so the result never scores worse than they do.
   * The other restarts start at random as usual.
   */
  readonly init?: FsCoefficients;
  /** Spike-count weight λ of the loss (see {@link FsFitLossOptions.spikePenalty}). Default 0. */
  readonly spikePenalty?: number;
  /** Random restarts; the best is kept. Default 4 (paper 100). */
  readonly restarts?: number;
  /** Base Adam iterations per restart. Default 800 (paper ~5000). */
  readonly iterations?: number;
  /**
   * Iterations added to a restart whenever its loss improves while the count is not already
   * extended (`find_coeffs.py` subtracts 1000 from its counter). Default iterations/5.
   */
  readonly extendOnImprove?: number;
  /** Hard cap of iterations per restart. Default 3 × iterations. */
  readonly maxIterations?: number;
  /** Seed of every random draw (starts, learning rates, c). Default 0. */
  readonly seed?: number;
  /** Learning-rate interval. Default [0.09, 0.5] (SPEC §3d). */
  readonly lr?: readonly [number, number];
  /**
   * When the learning rate is drawn: 'step' (every iteration, as `find_coeffs.py`'s graph does:
   * its lr is a tf.random.uniform op evaluated at every session run) or 'restart'. Default 'step'.
   */
  readonly lrDraw?: 'step' | 'restart';
  /** Regularizer weight interval, c drawn at every step. Default [0.08, 0.12]. */
  readonly regularizer?: readonly [number, number];
  /** Importance weight per input, e.g. {@link fsImportance}; default 1. */
  readonly importance?: (x: number) => number;
  /** Called after each restart. */
  readonly onRestart?: (info: FsFitRestart) => void;
}

export interface FsFitRestart {
  readonly restart: number;
  readonly iterations: number;
  /** Best selection score of this restart: mse + c̄·reg + λ·spikes, c̄ the regularizer interval's middle. */
  readonly score: number;
  readonly mse: number;
}

export interface FsFitResult {
  readonly coefficients: FsCoefficients;
  /** Plain mean((f − f̂)²) of the returned coefficients on the grid or samples (float64, no importance). */
  readonly mse: number;
  /** Mean spikes per input of the returned coefficients on the grid or samples. */
  readonly spikes: number;
  /** The fit loss with c = the regularizer interval's middle (importance and spike penalty applied). */
  readonly loss: number;
  /** Which restart won (0-based). */
  readonly restart: number;
  readonly restarts: readonly FsFitRestart[];
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();

/** Evenly spaced points over [lo, hi], ends included. */
export function fsFitGrid(lo: number, hi: number, points: number): Float64Array {
  if (!Number.isInteger(points) || points < 1) throw new Error(`fsFitGrid: points must be a positive integer, got ${points}`);
  if (points === 1) return Float64Array.of((lo + hi) / 2);
  return Float64Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
}

/**
 * Fit h, d, T so that the FS neuron approximates `fn` on `range` (SPEC §3c/§3d). Seeded and
 * deterministic: equal options give equal coefficients.
 */
export function fitFsCoefficients(fn: (x: number) => number, options: FitFsOptions): FsFitResult {
  const K = options.K;
  if (!Number.isInteger(K) || K < 1) throw new Error(`fitFsCoefficients: K must be a positive integer, got ${K}`);
  const points = options.points ?? 1000;
  const lambda = options.spikePenalty ?? 0;
  if (!(Number.isFinite(lambda) && lambda >= 0)) throw new Error(`fitFsCoefficients: spikePenalty must be a number ≥ 0, got ${lambda}`);
  if (options.init !== undefined && checkFsCoefficients(options.init, 'fitFsCoefficients: init') !== K) {
    throw new Error(`fitFsCoefficients: init has ${options.init.h.length} steps but K is ${K}`);
  }
  const restarts = options.restarts ?? 4;
  const iterations = options.iterations ?? 800;
  const extend = options.extendOnImprove ?? Math.round(iterations / 5);
  const maxIterations = options.maxIterations ?? 3 * iterations;
  const [lrLo, lrHi] = options.lr ?? FS_FIT_LR;
  const [cLo, cHi] = options.regularizer ?? FS_FIT_REGULARIZER;
  const cMid = (cLo + cHi) / 2;
  for (const [name, val] of [['points', points], ['restarts', restarts], ['iterations', iterations]] as const) {
    if (!Number.isInteger(val) || val < 1) throw new Error(`fitFsCoefficients: ${name} must be a positive integer, got ${val}`);
  }
  if (!(lrLo > 0 && lrHi >= lrLo)) throw new Error(`fitFsCoefficients: lr must be [min, max] with 0 < min ≤ max, got [${lrLo}, ${lrHi}]`);
  if (!(cLo >= 0 && cHi >= cLo)) throw new Error(`fitFsCoefficients: regularizer must be [min, max] with 0 ≤ min ≤ max, got [${cLo}, ${cHi}]`);

  let x: Float64Array;
  if (options.samples !== undefined) {
    if (options.samples.length === 0) throw new Error('fitFsCoefficients: samples is empty');
    x = Float64Array.from(options.samples);
    const nonFinite = x.findIndex((v) => !Number.isFinite(v));
    if (nonFinite >= 0) throw new Error(`fitFsCoefficients: samples[${nonFinite}] is not finite`);
  } else {
    if (options.range === undefined) throw new Error('fitFsCoefficients: give range [lo, hi] or samples');
    const [lo, hi] = options.range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`fitFsCoefficients: range must be [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
    x = fsFitGrid(lo, hi, points);
  }
  const y = x.map(fn);
  const bad = y.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`fitFsCoefficients: fn(${x[bad]}) is not finite`);
  const imp = options.importance === undefined ? undefined : x.map(options.importance);
  const problem = new FitProblem(x, y, K, imp);
  const rng = createRng(options.seed ?? 0);

  const P = 3 * K;
  const p = new Float64Array(P);
  const g = new Float64Array(P);
  const m = new Float64Array(P);
  const s = new Float64Array(P);
  const restartBest = new Float64Array(P);
  let best: { p: Float64Array; score: number; restart: number } | null = null;
  const history: FsFitRestart[] = [];
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8; // TF1 AdamOptimizer defaults

  for (let r = 0; r < restarts; r++) {
    // SPEC §3d: h ~ U(−1, 0), d ~ U(−0.5, 1), T ~ U(−1, 1). Drawn for a warm start too, so
    // the later restarts see the same random stream with and without `init`.
    for (let t = 0; t < K; t++) p[t] = uniform(rng, -1, 0);
    for (let t = 0; t < K; t++) p[K + t] = uniform(rng, -0.5, 1);
    for (let t = 0; t < K; t++) p[2 * K + t] = uniform(rng, -1, 1);
    const warm = r === 0 && options.init !== undefined;
    if (warm) p.set(packParams(options.init!));
    m.fill(0);
    s.fill(0);
    const restartLr = uniform(rng, lrLo, lrHi);
    let restartScore = Infinity;
    let restartMse = Infinity;
    if (warm) {
      const v0 = problem.evaluate(p, cMid, null, lambda);
      restartScore = v0.loss;
      restartMse = v0.mse;
      restartBest.set(p);
    }
    let i = 0;
    let done = 0;
    while (i < iterations && done < maxIterations) {
      i++;
      done++;
      const c = uniform(rng, cLo, cHi);
      const val = problem.evaluate(p, c, g, lambda);
      const score = val.mse + cMid * val.reg + lambda * val.spikes;
      if (score < restartScore) {
        restartScore = score;
        restartMse = val.mse;
        restartBest.set(p);
        if (i >= 0) i -= extend;
      }
      const lr = options.lrDraw === 'restart' ? restartLr : uniform(rng, lrLo, lrHi);
      const step = lr * (Math.sqrt(1 - beta2 ** done) / (1 - beta1 ** done));
      for (let k = 0; k < P; k++) {
        const gk = g[k]!;
        m[k] = beta1 * m[k]! + (1 - beta1) * gk;
        s[k] = beta2 * s[k]! + (1 - beta2) * gk * gk;
        p[k] = p[k]! - (step * m[k]!) / (Math.sqrt(s[k]!) + eps);
      }
    }
    // the last update's result is scored too
    const last = problem.evaluate(p, cMid, null, lambda);
    if (last.loss < restartScore) {
      restartScore = last.loss;
      restartMse = last.mse;
      restartBest.set(p);
    }
    const info: FsFitRestart = { restart: r, iterations: done, score: restartScore, mse: restartMse };
    history.push(info);
    options.onRestart?.(info);
    if (best === null || restartScore < best.score) best = { p: Float64Array.from(restartBest), score: restartScore, restart: r };
  }
  if (best === null) throw new Error('fitFsCoefficients: no restart ran');
  const coefficients = unpackParams(best.p, K);
  const plain = new FitProblem(x, y, K).evaluate(best.p, cMid, null);
  return { coefficients, mse: plain.mse, spikes: plain.spikes, loss: best.score, restart: best.restart, restarts: history };
}
