/**
 * The single-spike LIF forward (single-spike-kernel.ts) as WebAssembly SIMD in the wasm
 * backend's heap, 4 neurons per instruction, for θ > 0 (the spike test is then u₁ > θ).
 * Every operation is the float32 operation of the composed step, so results are equal bit
 * for bit; the last n mod 4 elements and θ ≤ 0 run in the JavaScript loop.
 */
import { F32, I32, V128, WASM_OP as OP, WASM_SIMD as S, WasmFn, assembleModule, wasmInstanceCache } from '@spikelite/engine';

/** (pI, pU, pF, pST, pS, pUn, pFn, pSTn, bytes, λ, θ, t) */
type Forward = (...args: number[]) => void;

export interface SingleSpikeSimd {
  reset: Forward;
  freeze: Forward;
}

function forwardFn(freeze: boolean): WasmFn {
  const f = new WasmFn([I32, I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32]);
  const [pI, pU, pF, pST, pS, pUn, pFn, pSTn, bytes, lam, th, t] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const i = f.local(I32);
  const [vLam, vTh, vT, one, zero, up, fi, u1, s, st] = f.locals(V128, 10);
  f.splat(lam).set(vLam).splat(th).set(vTh).splat(t).set(vT);
  f.f32(1).simd(S.f32x4Splat).set(one);
  f.v128Zero().set(zero);
  // freeze: keep u(t−1) where fired (mask = fired ≠ 0), else never (mask 0).
  const at = (p: number) => f.get(p).get(i).op(OP.i32Add);
  f.forRange(i, () => f.i32(0), bytes, 16, () => {
    at(pU).v128Load().set(up);
    at(pF).v128Load().set(fi);
    // u₁ = λ·u + I
    f.get(vLam).get(up).simd(S.f32x4Mul);
    at(pI).v128Load().simd(S.f32x4Add).set(u1);
    // freeze: u₁ = fired ≠ 0 ? u : u₁  (bitselect(a, b, mask) = a where mask)
    if (freeze) f.get(up).get(u1).get(fi).get(zero).simd(S.f32x4Ne).simd(S.bitselect).set(u1);
    // s = H·(1 − fired), H = (u₁ > θ) as 1.0/0.0
    f.get(u1).get(vTh).simd(S.f32x4Gt).get(one).simd(S.and);
    f.get(one).get(fi).simd(S.f32x4Sub).simd(S.f32x4Mul).set(s);
    at(pS).get(s).v128Store();
    // u = u₁·(1 − s) (reset) or u₁ (freeze)
    at(pUn).get(u1);
    if (!freeze) f.get(one).get(s).simd(S.f32x4Sub).simd(S.f32x4Mul);
    f.v128Store();
    at(pFn).get(fi).get(s).simd(S.f32x4Add).v128Store();
    // spikeTime + s·(t − spikeTime)
    at(pST).v128Load().set(st);
    at(pSTn).get(st).get(s).get(vT).get(st).simd(S.f32x4Sub).simd(S.f32x4Mul).simd(S.f32x4Add).v128Store();
  });
  return f;
}

export const singleSpikeSimdFor = wasmInstanceCache<SingleSpikeSimd>(() =>
  assembleModule([
    ['reset', forwardFn(false)],
    ['freeze', forwardFn(true)],
  ]),
);
