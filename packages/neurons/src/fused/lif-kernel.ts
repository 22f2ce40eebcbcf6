/**
 * The fused LIF step for the `cpu` and `wasm` backends: one pass forward, one backward,
 * instead of ~8 forward and ~20 backward tfjs ops (each a full pass over memory).
 *
 * Two kernels, registered with `tf.registerKernel` for both backends:
 *  - `SpikeliteLifStep`: inputs { x: input current I, u: u(t−1), leak, threshold } →
 *    outputs [spikes, u(t)].
 *  - `SpikeliteLifStepGrad`: inputs { x, u, leak, threshold, ds, du } → outputs
 *    [dI, du(t−1), dleak, dthreshold] (u₁, z and s are recomputed, not stored).
 * `tf.registerGradient` ties them together, so the forward is an ordinary two-output tfjs
 * op whose gradient is the second kernel: no stacking, no slicing, no customGrad, and only
 * the four inputs are kept for the backward.
 *
 * Where they run: on wasm with per-layer λ, θ and the linear surrogate (DIET), a small
 * WebAssembly SIMD module working in the backend's heap (lif-simd.ts); otherwise plain
 * JavaScript loops over the Float32Arrays (below).
 *
 * Precision: spikes and potentials equal the composed ops' bit for bit (float32 in the same
 * order; the spike test is exact, see "No division" below). Gradients agree to float32
 * rounding; dλ and dθ are summed in float64 (JS) or float32 blocks then float64 (SIMD), so
 * on large layers they are more accurate than tfjs's float32 `sum` (1e-4 apart at 1.6M).
 *
 * Equations (the same as `lifStepComposed`; s̄ is s with the gradient detached when
 * `detach`, x is the Heaviside argument, x = u/θ − 1 ('normalized') or u − θ ('difference')):
 *   current:  u₁ = λ·u(t−1) + I;  s = H(x(u₁));  u(t) = u₁ − θ·s̄ (soft) | u₁·(1 − s̄) (hard)
 *   previous: s = H(x(u(t−1)));  u(t) = λ·u(t−1) + I − θ·s̄ (soft) | λ·u(t−1)·(1 − s̄) + I (hard)
 */
import * as tf from '@tensorflow/tfjs-core';
import { SurrogateSpec } from '@spikelite/schemas';
import { wasmHeapMemory, wasmMalloc, type WasmBackendLike } from '@spikelite/engine';
import { scalarDerivative, surrogateDomain } from '../surrogates.js';
import { lifSimdFor, type LifSimd } from './lif-simd.js';

export const LIF_STEP_KERNEL = 'SpikeliteLifStep';
export const LIF_STEP_GRAD_KERNEL = 'SpikeliteLifStepGrad';
/** Backends the fused kernels are registered for. */
export const FUSED_BACKENDS: readonly string[] = ['cpu', 'wasm'];

export interface FusedLifOptions {
  readonly order: 'current' | 'previous';
  readonly reset: 'soft' | 'hard';
  readonly detachReset: boolean;
  readonly surrogate: SurrogateSpec;
}

interface KernelAttrs {
  order: string;
  hard: boolean;
  detach: boolean;
  normalized: boolean;
  /** JSON of the surrogate spec (attrs must be plain values). */
  surrogate: string;
}

// ---------------------------------------------------------------- backend data access

export interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface CpuBackendLike {
  data: { get(id: object): { values?: unknown } };
  readSync(id: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values?: Float32Array): TensorInfoLike;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

interface IO {
  ins: Float32Array[];
  outs: Float32Array[];
  infos: TensorInfoLike[];
  /** wasm only: heap byte offsets of inputs, then outputs. */
  offsets: number[];
}

/**
 * Allocate outputs, then view inputs and outputs as Float32Arrays. On wasm, views are taken
 * after every allocation, because an allocation may grow (and so detach) the heap.
 */
export function io(
  backendName: 'cpu' | 'wasm',
  backend: unknown,
  inputs: readonly TensorInfoLike[],
  outShapes: readonly number[][],
): IO {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new Error(`${LIF_STEP_KERNEL}: expected float32 inputs, got ${t.dtype}`);
  }
  if (backendName === 'wasm') {
    const b = backend as WasmBackendLike;
    // Touch every input first: a tensor still on another backend is moved into the heap here.
    for (const t of inputs) b.dataIdMap.get(t.dataId);
    const infos = outShapes.map((s) => b.makeOutput(s, 'float32'));
    const all = [...inputs, ...infos];
    return {
      ins: inputs.map((t) => b.typedArrayFromHeap(t)),
      outs: infos.map((t) => b.typedArrayFromHeap(t)),
      infos,
      offsets: all.map((t) => b.dataIdMap.get(t.dataId)?.memoryOffset ?? -1),
    };
  }
  const b = backend as CpuBackendLike;
  const read = (t: TensorInfoLike): Float32Array => {
    const v = b.data.get(t.dataId).values;
    return (v instanceof Float32Array ? v : b.readSync(t.dataId)) as Float32Array;
  };
  const outs = outShapes.map((s) => new Float32Array(size(s)));
  const infos = outShapes.map((s, i) => b.makeTensorInfo(s, 'float32', outs[i]!));
  return { ins: inputs.map(read), outs, infos, offsets: [] };
}

// ---------------------------------------------------------------- the wasm SIMD path

let simdEnabled = true;

/**
 * Turn the wasm backend's SIMD kernels (lif-simd.ts) on or off (on by default; off runs the
 * JavaScript loops there too). For tests and benchmarks.
 */
export function setFusedLifSimd(enabled: boolean): void {
  simdEnabled = enabled;
}

/** 48 bytes of scratch per heap for the backward's float64 sums (allocated once, kept). */
const scratch = new WeakMap<WebAssembly.Memory, number>();

/** The SIMD kernels and a scratch pointer on this wasm backend, or null. Allocates: call before `io`. */
function simdOn(backend: unknown): { simd: LifSimd; scratch: number; memory: WebAssembly.Memory } | null {
  if (!simdEnabled) return null;
  const memory = wasmHeapMemory(backend);
  if (memory === null) return null;
  const simd = lifSimdFor(memory);
  if (simd === null) return null;
  let p = scratch.get(memory);
  if (p === undefined) {
    p = wasmMalloc(backend as WasmBackendLike, 64);
    scratch.set(memory, p);
  }
  return { simd, scratch: p, memory };
}

/** A per-layer (size 1) or per-channel parameter as an array of `channels` values. */
function expand(p: Float32Array, channels: number): Float32Array {
  if (p.length === channels) return p;
  if (p.length !== 1) throw new Error(`${LIF_STEP_KERNEL}: parameter of size ${p.length} does not match ${channels} channels`);
  return new Float32Array(channels).fill(p[0]!);
}

function channelsOf(x: TensorInfoLike, leak: TensorInfoLike, threshold: TensorInfoLike): number {
  const c = Math.max(size(leak.shape), size(threshold.shape));
  if (c > 1 && x.shape[x.shape.length - 1] !== c) {
    throw new Error(`${LIF_STEP_KERNEL}: ${c} per-channel parameters but the input's last axis is ${String(x.shape[x.shape.length - 1])}`);
  }
  return c;
}

interface SurrogateInfo {
  spec: SurrogateSpec;
  deriv: (x: number) => number;
}
const surrogateCache = new Map<string, SurrogateInfo>();
function surrogateOf(json: string): SurrogateInfo {
  let d = surrogateCache.get(json);
  if (d === undefined) {
    const spec = SurrogateSpec.parse(JSON.parse(json));
    d = { spec, deriv: scalarDerivative(spec) };
    surrogateCache.set(json, d);
  }
  return d;
}

// ---------------------------------------------------------------- the loops
//
// Speed notes (1.6M neurons, one core): a data-dependent `cond ? a : b` per element costs a
// branch mispredict on ~every spike (18 ms a step); `+(u > θ)` and arithmetic with s
// (`u − θ·s`) compile branch-free (3.7 ms).
//
// No division decides a spike. For float32 v and θ > 0, the composed test
// fround(fround(v/θ) − 1) > 0 holds iff fround(v/θ) > 1 iff v/θ > 1 + 2⁻²⁴ (the rounding
// midpoint above 1; a tie rounds to 1). The next float32 above θ is θ + ulp(θ) with
// ulp(θ) = 2^(e−23) > θ·2⁻²⁴ (θ = m·2^e, m < 2), so no float32 v lies in (θ, θ(1 + 2⁻²⁴)]:
// the test is exactly v > θ, as for the 'difference' surrogates (fround(v − θ) > 0 ⇔ v > θ).
// Gradients use z = v·(1/θ) − 1 in float64 for the 'normalized' (continuous, linear)
// surrogates and the exact float32 v − θ otherwise.

const fr = Math.fround;
/** Per-channel spike cut: v > cut ⇔ s = 1. Null when some θ ≤ 0 (then the exact, slower loop runs). */
function spikeCuts(Th: Float32Array): Float32Array | null {
  for (let c = 0; c < Th.length; c++) if (!(Th[c]! > 0)) return null;
  return Th;
}

/** The exact float32 spike decision for any θ (the slow path: division per element). */
function spikeOf(v: number, th: number, normalized: boolean): number {
  return +((normalized ? fr(fr(v / th) - 1) : fr(v - th)) > 0);
}

function forwardLoop(
  I: Float32Array,
  U: Float32Array,
  L: Float32Array,
  Th: Float32Array,
  S: Float32Array,
  Un: Float32Array,
  a: KernelAttrs,
): void {
  const n = I.length;
  const C = L.length;
  const hard = a.hard;
  const normalized = a.normalized;
  const current = a.order === 'current';
  const cuts = spikeCuts(Th);
  if (cuts === null) {
    // Some θ ≤ 0: exact but slower (a division per element).
    for (let i = 0, c = 0; i < n; i++) {
      const th = Th[c]!;
      const lu = fr(L[c]! * U[i]!);
      const v = current ? fr(lu + I[i]!) : U[i]!;
      const s = spikeOf(v, th, normalized);
      S[i] = s;
      if (current) Un[i] = hard ? v - v * s : v - th * s;
      else Un[i] = hard ? lu * (1 - s) + I[i]! : fr(lu + I[i]!) - th * s;
      if (++c === C) c = 0;
    }
    return;
  }
  // The hot loops: per-layer parameters hoisted (C = 1), or an inner loop over channels.
  // Stores round to float32: u₁ − θ (soft) or 0 (hard) after a spike, u₁ otherwise.
  if (C === 1) {
    const lam = L[0]!;
    const th = Th[0]!;
    const cut = cuts[0]!;
    if (current) {
      for (let i = 0; i < n; i++) {
        const u1 = fr(fr(lam * U[i]!) + I[i]!);
        const s = +(u1 > cut);
        S[i] = s;
        Un[i] = hard ? u1 - u1 * s : u1 - th * s;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const up = U[i]!;
        const s = +(up > cut);
        const lu = fr(lam * up);
        S[i] = s;
        Un[i] = hard ? lu * (1 - s) + I[i]! : fr(lu + I[i]!) - th * s;
      }
    }
    return;
  }
  for (let b = 0; b < n; b += C) {
    for (let c = 0; c < C; c++) {
      const i = b + c;
      const th = Th[c]!;
      if (current) {
        const u1 = fr(fr(L[c]! * U[i]!) + I[i]!);
        const s = +(u1 > cuts[c]!);
        S[i] = s;
        Un[i] = hard ? u1 - u1 * s : u1 - th * s;
      } else {
        const up = U[i]!;
        const s = +(up > cuts[c]!);
        const lu = fr(L[c]! * up);
        S[i] = s;
        Un[i] = hard ? lu * (1 - s) + I[i]! : fr(lu + I[i]!) - th * s;
      }
    }
  }
}

interface BackwardArgs {
  I: Float32Array;
  U: Float32Array;
  dS: Float32Array;
  dU: Float32Array;
  dI: Float32Array;
  dUp: Float32Array;
  /** Element range [from, to). */
  from: number;
  to: number;
}

/**
 * The backward pass over elements [from, to) with per-layer λ, θ (hoisted) and the sums in
 * locals: one tight loop for the common case. Returns [dλ, Σ −gu·s, Σ gx·v (or Σ gx)].
 */
function backwardRange(
  r: BackwardArgs,
  lam: number,
  th: number,
  cut: number,
  a: KernelAttrs,
  deriv: (x: number) => number,
  out: Float64Array,
): void {
  const { I, U, dS, dU, dI, dUp, from, to } = r;
  const hard = a.hard;
  const soft = !hard;
  const detach = a.detach;
  const normalized = a.normalized;
  const current = a.order === 'current';
  const exact = !(cut > 0) || Number.isNaN(cut); // θ ≤ 0: decide spikes with the division
  const ic = 1 / th;
  let sumL = 0;
  let sumReset = 0;
  let sumX = 0;
  for (let i = from; i < to; i++) {
    const up = U[i]!;
    const gu = dU[i]!;
    // v: the potential the spike is decided on (u₁ for 'current', u(t−1) for 'previous').
    const lu = fr(lam * up);
    const v = current ? fr(lu + I[i]!) : up;
    const s = exact ? spikeOf(v, th, normalized) : +(v > cut);
    const x = normalized ? v * ic - 1 : fr(v - th);
    // Total gradient reaching s: its own, plus through the reset when that is not detached.
    const gs = detach ? dS[i]! : dS[i]! - gu * (soft ? th : current ? v : lu);
    const gx = gs * deriv(x);
    const keep = hard ? gu - gu * s : gu; // through the (un-reset) potential
    const gxv = normalized ? gx * ic : gx; // ∂/∂v through x
    if (current) {
      const g1 = keep + gxv; // dL/du₁
      dI[i] = g1;
      dUp[i] = g1 * lam;
      sumL += g1 * up;
    } else {
      dI[i] = gu;
      dUp[i] = keep * lam + gxv;
      sumL += keep * up;
    }
    sumReset -= gu * s;
    sumX += normalized ? gx * v : gx;
  }
  out[0] = sumL;
  out[1] = soft ? sumReset : 0;
  out[2] = sumX;
}

function backwardLoop(
  I: Float32Array,
  U: Float32Array,
  L: Float32Array,
  Th: Float32Array,
  dS: Float32Array,
  dU: Float32Array,
  dI: Float32Array,
  dUp: Float32Array,
  dL: Float64Array,
  dTh: Float64Array,
  a: KernelAttrs,
  deriv: (x: number) => number,
): void {
  const C = L.length;
  const cuts = spikeCuts(Th);
  if (C === 1) {
    const sums = new Float64Array(3);
    const th = Th[0]!;
    backwardRange({ I, U, dS, dU, dI, dUp, from: 0, to: I.length }, L[0]!, th, cuts === null ? NaN : cuts[0]!, a, deriv, sums);
    dL[0] = sums[0]!;
    // dθ = Σ −gu·s − Σ gx·∂x/∂θ, ∂x/∂θ = −v/θ² ('normalized') or −1.
    dTh[0] = sums[1]! - (a.normalized ? sums[2]! / (th * th) : sums[2]!);
    return;
  }
  // Per-channel parameters: rows of C, an inner loop over channels, sums per channel.
  const n = I.length;
  const hard = a.hard;
  const soft = !hard;
  const detach = a.detach;
  const normalized = a.normalized;
  const current = a.order === 'current';
  const dThReset = new Float64Array(C);
  const dThX = new Float64Array(C);
  for (let b = 0; b < n; b += C) {
    for (let c = 0; c < C; c++) {
      const i = b + c;
      const th = Th[c]!;
      const ic = 1 / th;
      const lam = L[c]!;
      const up = U[i]!;
      const gu = dU[i]!;
      const lu = fr(lam * up);
      const v = current ? fr(lu + I[i]!) : up;
      const s = cuts === null ? spikeOf(v, th, normalized) : +(v > cuts[c]!);
      const x = normalized ? v * ic - 1 : fr(v - th);
      const gs = detach ? dS[i]! : dS[i]! - gu * (soft ? th : current ? v : lu);
      const gx = gs * deriv(x);
      const keep = hard ? gu - gu * s : gu;
      const gxv = normalized ? gx * ic : gx;
      if (current) {
        const g1 = keep + gxv;
        dI[i] = g1;
        dUp[i] = g1 * lam;
        dL[c]! += g1 * up;
      } else {
        dI[i] = gu;
        dUp[i] = keep * lam + gxv;
        dL[c]! += keep * up;
      }
      dThReset[c]! -= gu * s;
      dThX[c]! += normalized ? gx * v : gx;
    }
  }
  for (let c = 0; c < C; c++) {
    const ic = 1 / Th[c]!;
    dTh[c] = (soft ? dThReset[c]! : 0) - (normalized ? dThX[c]! * ic * ic : dThX[c]!);
  }
}

// ---------------------------------------------------------------- kernels

function makeForward(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: LIF_STEP_KERNEL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, u, leak, threshold } = inputs as unknown as Record<'x' | 'u' | 'leak' | 'threshold', TensorInfoLike>;
      const a = attrs as unknown as KernelAttrs;
      if (size(u.shape) !== size(x.shape)) throw new Error(`${LIF_STEP_KERNEL}: input and state sizes differ`);
      const C = channelsOf(x, leak, threshold);
      // SIMD on wasm: per-layer parameters, z = u/θ − 1 (the forward needs no surrogate).
      const fast = backendName === 'wasm' && C === 1 && a.normalized ? simdOn(backend) : null;
      const { ins, outs, infos, offsets } = io(backendName, backend, [x, u, leak, threshold], [x.shape, x.shape]);
      const [I, U, L, Th] = ins as [Float32Array, Float32Array, Float32Array, Float32Array];
      const [S, Un] = outs as [Float32Array, Float32Array];
      const th = Th[0]!;
      if (fast !== null && th > 0) {
        const n4 = I.length & ~3;
        const [oI, oU, , , oS, oUn] = offsets as [number, number, number, number, number, number];
        const f = a.order === 'current' ? fast.simd.fwdCurrent : fast.simd.fwdPrevious;
        f(oI, oU, oS, oUn, n4 * 4, L[0]!, th, a.hard ? 0 : th, a.hard ? 1 : 0);
        // The last n mod 4 elements.
        forwardLoop(I.subarray(n4), U.subarray(n4), L, Th, S.subarray(n4), Un.subarray(n4), a);
      } else {
        forwardLoop(I, U, expand(L, C), expand(Th, C), S, Un, a);
      }
      return infos as unknown as tf.TensorInfo[];
    },
  };
}

function makeBackward(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: LIF_STEP_GRAD_KERNEL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, u, leak, threshold, ds, du } = inputs as unknown as Record<
        'x' | 'u' | 'leak' | 'threshold' | 'ds' | 'du',
        TensorInfoLike
      >;
      const a = attrs as unknown as KernelAttrs;
      const C = channelsOf(x, leak, threshold);
      const sg = surrogateOf(a.surrogate);
      // SIMD on wasm: per-layer parameters and the linear surrogate (DIET).
      const fast = backendName === 'wasm' && C === 1 && sg.spec.kind === 'linear' ? simdOn(backend) : null;
      const { ins, outs, infos, offsets } = io(
        backendName,
        backend,
        [x, u, leak, threshold, ds, du],
        [x.shape, u.shape, leak.shape, threshold.shape],
      );
      const [I, U, L, Th, dS, dU] = ins as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
      const [dI, dUp, dLOut, dThOut] = outs as [Float32Array, Float32Array, Float32Array, Float32Array];
      const th = Th[0]!;
      if (fast !== null && th > 0 && sg.spec.kind === 'linear') {
        const n = I.length;
        const n4 = n & ~3;
        const [oI, oU, , , oDS, oDU, oDI, oDUp] = offsets as number[] as [number, number, number, number, number, number, number, number];
        const f = a.order === 'current' ? fast.simd.bwdCurrent : fast.simd.bwdPrevious;
        const ic = 1 / th;
        f(oI!, oU!, oDS!, oDU!, oDI!, oDUp!, fast.scratch, n4 * 4, L[0]!, th, ic, sg.spec.gamma, a.hard ? 0 : th, a.hard ? 1 : 0, a.detach ? 0 : 1);
        const sums = new Float64Array(fast.memory.buffer, fast.scratch, 6);
        let sumL = sums[0]! + sums[1]!;
        let sumR = sums[2]! + sums[3]!; // Σ gu·s
        let sumX = sums[4]! + sums[5]!; // Σ gx·v
        if (n4 < n) {
          const tail = new Float64Array(3);
          backwardRange(
            { I, U, dS, dU, dI, dUp, from: n4, to: n },
            L[0]!,
            th,
            th,
            a,
            sg.deriv,
            tail,
          );
          sumL += tail[0]!;
          sumR -= tail[1]!; // backwardRange returns −Σ gu·s (soft) or 0 (hard, unused then)
          sumX += tail[2]!;
        }
        dLOut[0] = sumL;
        dThOut[0] = (a.hard ? 0 : -sumR) - sumX * ic * ic;
        return infos as unknown as tf.TensorInfo[];
      }
      const dL = new Float64Array(C);
      const dTh = new Float64Array(C);
      backwardLoop(I, U, expand(L, C), expand(Th, C), dS, dU, dI, dUp, dL, dTh, a, sg.deriv);
      // A per-layer parameter gets the sum over channels.
      const reduce = (acc: Float64Array, out: Float32Array) => {
        if (out.length === C) out.set(acc);
        else out[0] = acc.reduce((p, q) => p + q, 0);
      };
      reduce(dL, dLOut);
      reduce(dTh, dThOut);
      return infos as unknown as tf.TensorInfo[];
    },
  };
}

let registered = false;

/** Register the fused kernels (cpu, wasm) and their gradient. Idempotent. */
export function registerFusedLifKernels(): void {
  if (registered) return;
  for (const b of ['cpu', 'wasm'] as const) {
    if (tf.getKernel(LIF_STEP_KERNEL, b) === undefined) tf.registerKernel(makeForward(b));
    if (tf.getKernel(LIF_STEP_GRAD_KERNEL, b) === undefined) tf.registerKernel(makeBackward(b));
  }
  if (tf.getGradient(LIF_STEP_KERNEL) === undefined) {
    tf.registerGradient({
      kernelName: LIF_STEP_KERNEL,
      inputsToSave: ['x', 'u', 'leak', 'threshold'],
      gradFunc: (dy, saved, attrs) => {
        const [ds, du] = dy as tf.Tensor[];
        const [x, u, leak, threshold] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        // One pass computes all four gradients; the tape asks for them one by one.
        const [dx, dup, dleak, dth] = tf
          .engine()
          .runKernel(LIF_STEP_GRAD_KERNEL, { x, u, leak, threshold, ds: ds!, du: du! }, attrs) as tf.Tensor[];
        return { x: () => dx!, u: () => dup!, leak: () => dleak!, threshold: () => dth! };
      },
    });
  }
  registered = true;
}

/** True when the fused kernels can run on the current backend. */
export function fusedLifAvailable(backendName: string = tf.getBackend()): boolean {
  return FUSED_BACKENDS.includes(backendName);
}

/**
 * One LIF step with the fused kernels: returns spikes and the new potential. `leak` null
 * means λ = 1 (IF). Differentiable with respect to input, u, leak and threshold. The
 * surrogate must not need spike times (not 'stdb').
 */
export function lifStepFused(
  input: tf.Tensor,
  u: tf.Tensor,
  leak: tf.Tensor | null,
  threshold: tf.Tensor,
  options: FusedLifOptions,
): { spikes: tf.Tensor; u: tf.Tensor } {
  registerFusedLifKernels();
  if (options.surrogate.kind === 'stdb') throw new Error("fused LIF: surrogate 'stdb' is not supported (use the composed path)");
  const attrs: KernelAttrs = {
    order: options.order,
    hard: options.reset === 'hard',
    detach: options.detachReset,
    normalized: surrogateDomain(options.surrogate.kind) === 'normalized',
    surrogate: JSON.stringify(options.surrogate),
  };
  const ownLeak = leak === null ? tf.scalar(1) : null;
  const x = input.dtype === 'float32' ? input : tf.cast(input, 'float32');
  const [spikes, uNew] = tf
    .engine()
    .runKernel(
      LIF_STEP_KERNEL,
      { x, u, leak: leak ?? ownLeak!, threshold },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
  // The scalar 1 is tracked by the caller's tidy (and saved for the gradient when taping).
  return { spikes: spikes!, u: uNew! };
}
