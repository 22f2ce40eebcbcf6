/**
 * The fused LIF loops as a tiny WebAssembly SIMD module (f32x4), assembled at load time by
 * @spikelite/engine's assembler (no binary in the repository, no toolchain). It imports the
 * tfjs wasm backend's own memory, so it reads and writes tensors in place.
 *
 * Why: the wasm backend's element-wise kernels are SIMD; a scalar JavaScript pass is slower
 * than its composed forward (≈ 8 vs 5 ms a step on 1.6M neurons). One SIMD pass forward and
 * one backward beat both.
 *
 * Scope: per-layer λ, θ (scalars) and the linear surrogate on z = u/θ − 1 (DIET's
 * configuration); both orders, soft and hard reset, detached or not. Everything else, and
 * the last n mod 4 elements, runs in the JavaScript loops of lif-kernel.ts.
 *
 * Arithmetic is float32 in the composed ops' order (λ·u + I, then u − θ·s); the spike test
 * v > θ is exactly the composed fround(v/θ) − 1 > 0 (see lif-kernel.ts), so spikes and
 * potentials equal the composed path's bit for bit. Gradients use z = v·(1/θ) − 1 (the
 * composed ops divide: ≤ 1 ulp apart) and accumulate the dλ, dθ sums in float32 lanes per
 * block of 1024 elements, then in float64.
 */

import { I32, F32, V128, WASM_OP as OP, WasmFn, assembleModule, wasmInstanceCache } from '@spikelite/engine';

/** The engine's assembler (one for every spikelite kernel) plus this file's two shorthands. */
class Fn extends WasmFn {
  /** v128 at (ptr + i); alignment hint 4 bytes (tensors are float32-aligned). */
  load(ptr: number, i: number): this {
    return this.get(ptr).get(i).op(OP.i32Add).v128Load();
  }
  /** Store the v128 left by `value` at (ptr + i). */
  store(ptr: number, i: number, value: () => void): this {
    this.get(ptr).get(i).op(OP.i32Add);
    value();
    return this.v128Store();
  }
}

// SIMD opcodes (WebAssembly SIMD proposal, phase 4 / standard).
const F32X4 = { gt: 0x44, abs: 0xe0, add: 0xe4, sub: 0xe5, mul: 0xe6, pmax: 0xeb } as const;
const V_AND = 0x4e;
const V_CONST = 0x0c;
const SHUFFLE = 0x0d;
const F64X2_ADD = 0xf0;
const F64X2_PROMOTE_LOW = 0x5f;
const ZERO16 = new Array<number>(16).fill(0);
const ONE_F32X4 = [0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f];
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Elements per float32 accumulation block, in bytes (1024 floats). */
const BLOCK_BYTES = 4096;

/**
 * Loop `i` over [0, end) in steps of 16 bytes, calling `body` each time. With `block`, the
 * loop runs in blocks of BLOCK_BYTES with `before`/`after` around each block.
 */
function vectorLoop(f: Fn, i: number, end: number, body: () => void, blocks?: { before: () => void; after: () => void }): void {
  f.i32(0).set(i);
  if (blocks === undefined) {
    f.op(0x02, 0x40, 0x03, 0x40); // block, loop
    f.get(i).get(end).op(0x4f, 0x0d, 1); // i >= end → br_if 1 (exit)
    body();
    f.get(i).i32(16).op(0x6a).set(i);
    f.op(0x0c, 0, 0x0b, 0x0b); // br 0 (loop); end loop; end block
    return;
  }
  const blockEnd = f.local(I32);
  f.op(0x02, 0x40, 0x03, 0x40); // outer block/loop
  f.get(i).get(end).op(0x4f, 0x0d, 1);
  // blockEnd = min(i + BLOCK_BYTES, end)
  f.get(i).i32(BLOCK_BYTES).op(0x6a).tee(blockEnd).get(end).get(blockEnd).get(end).op(0x49, 0x1b).set(blockEnd);
  blocks.before();
  f.op(0x02, 0x40, 0x03, 0x40); // inner block/loop
  f.get(i).get(blockEnd).op(0x4f, 0x0d, 1);
  body();
  f.get(i).i32(16).op(0x6a).set(i);
  f.op(0x0c, 0, 0x0b, 0x0b);
  blocks.after();
  f.op(0x0c, 0, 0x0b, 0x0b);
}

/** acc64 += promote(low two lanes of acc32) + promote(high two lanes). */
function flush(f: Fn, acc32: number, acc64: number): void {
  f.get(acc64).get(acc32).simd(F64X2_PROMOTE_LOW).simd(F64X2_ADD);
  f.get(acc32).get(acc32).simd(SHUFFLE, ...HIGH_TO_LOW).simd(F64X2_PROMOTE_LOW).simd(F64X2_ADD).set(acc64);
}

// Forward: (pI, pU, pS, pUn, bytes, λ, θ, rst, kHard); rst = θ (soft) or 0 (hard),
// kHard = 1 (hard) or 0 (soft).
function forward(order: 'current' | 'previous'): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, F32, F32, F32, F32]);
  const [pI, pU, pS, pUn, end, lam, th, rst, kHard] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const i = f.local(I32);
  const [vLam, vTh, vRst, vKHard, vOne, u1, s, lu] = f.locals(V128, 8);
  f.splat(lam).set(vLam).splat(th).set(vTh).splat(rst).set(vRst).splat(kHard).set(vKHard);
  f.simd(V_CONST, ...ONE_F32X4).set(vOne);
  // s = (v > θ) & 1.0 with v on the stack (⇔ fround(v/θ) − 1 > 0 for θ > 0; lif-kernel.ts).
  const spike = () => f.get(vTh).simd(F32X4.gt).get(vOne).simd(V_AND).set(s);
  vectorLoop(f, i, end, () => {
    if (order === 'current') {
      // u₁ = λ·u + I
      f.get(vLam).load(pU, i).simd(F32X4.mul).load(pI, i).simd(F32X4.add).tee(u1);
      spike();
      f.store(pS, i, () => f.get(s));
      // u = u₁ − s·(rst + kHard·u₁)
      f.store(pUn, i, () =>
        f.get(u1).get(s).get(vRst).get(vKHard).get(u1).simd(F32X4.mul).simd(F32X4.add).simd(F32X4.mul).simd(F32X4.sub),
      );
    } else {
      f.load(pU, i).tee(u1); // u(t−1)
      spike();
      f.store(pS, i, () => f.get(s));
      f.get(vLam).get(u1).simd(F32X4.mul).set(lu);
      // u = λu·(1 − kHard·s) + I − rst·s
      f.store(pUn, i, () =>
        f
          .get(lu)
          .get(vOne)
          .get(vKHard)
          .get(s)
          .simd(F32X4.mul)
          .simd(F32X4.sub)
          .simd(F32X4.mul)
          .load(pI, i)
          .simd(F32X4.add)
          .get(vRst)
          .get(s)
          .simd(F32X4.mul)
          .simd(F32X4.sub),
      );
    }
  });
  return f;
}

// Backward: (pI, pU, pDS, pDU, pDI, pDUp, pOut, bytes, λ, θ, 1/θ, γ, rst, kHard, kNoDetach).
// Writes float64 pairs to pOut: [Σ dλ terms ×2, Σ gu·s ×2, Σ gx·v ×2].
function backward(order: 'current' | 'previous'): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32]);
  const [pI, pU, pDS, pDU, pDI, pDUp, pOut, end, lam, th, ic, gamma, rst, kHard, kNoDet] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  ];
  const i = f.local(I32);
  const L = () => f.local(V128);
  const [vLam, vTh, vIc, vGamma, vRst, vKHard, vKNoDet, vOne] = [L(), L(), L(), L(), L(), L(), L(), L()];
  const [up, gu, v, lu, z, s, gx, keep, g1] = [L(), L(), L(), L(), L(), L(), L(), L(), L()];
  const [aL, aR, aX, aL64, aR64, aX64] = [L(), L(), L(), L(), L(), L()];
  f.splat(lam).set(vLam).splat(th).set(vTh).splat(ic).set(vIc).splat(gamma).set(vGamma);
  f.splat(rst).set(vRst).splat(kHard).set(vKHard).splat(kNoDet).set(vKNoDet);
  f.simd(V_CONST, ...ONE_F32X4).set(vOne);
  for (const a of [aL64, aR64, aX64]) f.simd(V_CONST, ...ZERO16).set(a);
  const zero = (a: number) => f.simd(V_CONST, ...ZERO16).set(a);
  const acc = (a: number, product: () => void) => {
    f.get(a);
    product();
    f.simd(F32X4.add).set(a);
  };
  vectorLoop(
    f,
    i,
    end,
    () => {
      f.load(pU, i).set(up);
      f.load(pDU, i).set(gu);
      f.get(vLam).get(up).simd(F32X4.mul).set(lu);
      // v: the potential the spike is decided on.
      if (order === 'current') f.get(lu).load(pI, i).simd(F32X4.add).set(v);
      else f.get(up).set(v);
      // z = v·(1/θ) − 1 feeds only the (continuous) surrogate; the spike is v > θ, exactly.
      f.get(v).get(vIc).simd(F32X4.mul).get(vOne).simd(F32X4.sub).set(z);
      f.get(v).get(vTh).simd(F32X4.gt).get(vOne).simd(V_AND).set(s);
      // gs = dS − kNoDet·gu·(rst + kHard·(v | λu));  gx = gs·γ·max(0, 1 − |z|)
      f.load(pDS, i)
        .get(vKNoDet)
        .get(gu)
        .simd(F32X4.mul)
        .get(vRst)
        .get(vKHard)
        .get(order === 'current' ? v : lu)
        .simd(F32X4.mul)
        .simd(F32X4.add)
        .simd(F32X4.mul)
        .simd(F32X4.sub);
      f.get(vGamma)
        .get(vOne)
        .get(z)
        .simd(F32X4.abs)
        .simd(F32X4.sub)
        .simd(V_CONST, ...ZERO16)
        .simd(F32X4.pmax)
        .simd(F32X4.mul)
        .simd(F32X4.mul)
        .set(gx);
      // keep = gu − kHard·gu·s
      f.get(gu).get(vKHard).get(gu).simd(F32X4.mul).get(s).simd(F32X4.mul).simd(F32X4.sub).set(keep);
      if (order === 'current') {
        f.get(keep).get(gx).get(vIc).simd(F32X4.mul).simd(F32X4.add).set(g1);
        f.store(pDI, i, () => f.get(g1));
        f.store(pDUp, i, () => f.get(g1).get(vLam).simd(F32X4.mul));
        acc(aL, () => f.get(g1).get(up).simd(F32X4.mul));
      } else {
        f.store(pDI, i, () => f.get(gu));
        f.store(pDUp, i, () => f.get(keep).get(vLam).simd(F32X4.mul).get(gx).get(vIc).simd(F32X4.mul).simd(F32X4.add));
        acc(aL, () => f.get(keep).get(up).simd(F32X4.mul));
      }
      acc(aR, () => f.get(gu).get(s).simd(F32X4.mul));
      acc(aX, () => f.get(gx).get(v).simd(F32X4.mul));
    },
    {
      before: () => {
        zero(aL);
        zero(aR);
        zero(aX);
      },
      after: () => {
        flush(f, aL, aL64);
        flush(f, aR, aR64);
        flush(f, aX, aX64);
      },
    },
  );
  const out = (offset: number, a: number) => f.get(pOut).get(a).simd(0x0b, 3, offset);
  out(0, aL64);
  out(16, aR64);
  out(32, aX64);
  return f;
}

// ---------------------------------------------------------------- instances

export interface LifSimd {
  fwdCurrent(pI: number, pU: number, pS: number, pUn: number, bytes: number, lam: number, th: number, rst: number, kHard: number): void;
  fwdPrevious(pI: number, pU: number, pS: number, pUn: number, bytes: number, lam: number, th: number, rst: number, kHard: number): void;
  bwdCurrent(
    pI: number, pU: number, pDS: number, pDU: number, pDI: number, pDUp: number, pOut: number, bytes: number,
    lam: number, th: number, ic: number, gamma: number, rst: number, kHard: number, kNoDetach: number,
  ): void;
  bwdPrevious(
    pI: number, pU: number, pDS: number, pDU: number, pDI: number, pDUp: number, pOut: number, bytes: number,
    lam: number, th: number, ic: number, gamma: number, rst: number, kHard: number, kNoDetach: number,
  ): void;
}

/** The module's bytes (exported for tests). */
export function lifSimdBytes(): Uint8Array {
  return assembleModule([
    ['fwdCurrent', forward('current')],
    ['fwdPrevious', forward('previous')],
    ['bwdCurrent', backward('current')],
    ['bwdPrevious', backward('previous')],
  ]);
}

/**
 * The SIMD kernels bound to `memory`, or null when this engine lacks wasm SIMD or cannot link
 * the module (e.g. a shared, threaded memory): the JavaScript loops take over.
 */
export const lifSimdFor = wasmInstanceCache<LifSimd>(lifSimdBytes);
