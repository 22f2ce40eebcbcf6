/**
 * The runtime's two WebAssembly SIMD kernels, assembled at load time with the engine's
 * assembler, working on the arena's memory (arena.ts). Both add weight rows of Co floats
 * (Co a multiple of 4, groups 1) into output rows, 4 lanes at a time, float32 multiply then
 * float32 add:
 *  - `scatter`: for each listed input event, into every output whose window covers it
 *    (the output row/column per input row/column and tap come from index tables);
 *  - `dense`: for each output pixel, every tap and input channel, zeros included.
 * Both sum each output over (tap row, tap column, input channel) in order, so on the same
 * input they agree bit for bit. A linear layer is the 1×1 case. Without wasm SIMD the
 * JavaScript loops of ops/ run instead.
 */
import { F32, I32, V128, WASM_OP as OP, WASM_SIMD as SIMD, WasmFn, assembleModule, wasmInstanceCache } from '@spikelite/engine';

export type LifFn = (pI: number, pU: number, pS: number, pEv: number, pixels: number, C: number, pLeak: number, pTh: number) => number;

/** The IF/LIF step variant for this order and reset. */
export function lifKernel(simd: RuntimeSimd, current: boolean, hard: boolean): LifFn {
  if (current) return hard ? simd.lifCurrentHard : simd.lifCurrentSoft;
  return hard ? simd.lifPreviousHard : simd.lifPreviousSoft;
}

export type SingleSpikeFn = (pI: number, pU: number, pF: number, pS: number, pEv: number, n: number, lam: number, th: number) => number;

/** The single-spike step variant for this rule and λ. */
export function singleSpikeKernel(simd: RuntimeSimd, freeze: boolean, lam: number): SingleSpikeFn {
  if (lam === 1) return freeze ? simd.singleSpikeFreezeUnit : simd.singleSpikeResetUnit;
  return freeze ? simd.singleSpikeFreeze : simd.singleSpikeReset;
}

export interface RuntimeSimd {
  /** (pEvents, count, pX or 0 for binary events, pW, pY, pTapStart, pTaps, C, Co); pY zeroed by the caller (tables: scatterTable). */
  scatter(...args: number[]): void;
  /** (pX, pW, pY, H, W, C, Co, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL); pY zeroed by the caller. */
  dense(...args: number[]): void;
  /** y[p, :] += bias for `pixels` rows of Co (a multiple of 4): (pY, pBias, pixels, Co). */
  addBias(pY: number, pBias: number, pixels: number, Co: number): void;
  /**
   * One single-spike LIF step over n neurons (n a multiple of 4, θ > 0), fired flags as 0/1
   * floats: (pI, pU, pF, pS, pEvents, n, λ, θ) → spikes listed in pEvents. One variant per
   * after-spike rule, and for λ = 1 (no multiply: 1·u = u exactly); see singleSpikeKernel.
   */
  singleSpikeReset: SingleSpikeFn;
  singleSpikeFreeze: SingleSpikeFn;
  singleSpikeResetUnit: SingleSpikeFn;
  singleSpikeFreezeUnit: SingleSpikeFn;
  /**
   * One IF/LIF step over `pixels` rows of C neurons (C a multiple of 4, every θ > 0), λ and θ per
   * channel: (pI, pU, pS, pEvents, pixels, C, pLeak, pThreshold) → spikes listed in pEvents.
   * One variant per order (current, previous) and reset (soft, hard); see lifKernel.
   */
  lifCurrentSoft: LifFn;
  lifCurrentHard: LifFn;
  lifPreviousSoft: LifFn;
  lifPreviousHard: LifFn;
  /** y[toOut[idx]] = 1 for each listed idx with toOut[idx] ≥ 0 (a max pool of spikes, windows apart): (pEvents, count, pToOut, pY). */
  orPool(pEv: number, n: number, pToOut: number, pY: number): void;
  /** Lists the non-zero elements of y[0 .. n) (n a multiple of 4) ascending at pOut; returns their count. */
  listNonZero(pY: number, n: number, pOut: number): number;
}

/**
 * y[0 .. coBytes) += [v ·] w[0 .. coBytes); addresses in yA, wA. Rows of 16 and 32 floats
 * (the usual channel counts) are unrolled whole; others go four vectors a step while 64 bytes
 * remain, then one at a time.
 */
function axpy(f: WasmFn, yA: number, wA: number, k: number, coBytes: number, vv: number | null, end4: number): void {
  const one = (offset: number, withK: boolean) => {
    f.get(yA);
    if (withK) f.get(k).op(OP.i32Add);
    f.get(yA);
    if (withK) f.get(k).op(OP.i32Add);
    f.v128Load(offset);
    f.get(wA);
    if (withK) f.get(k).op(OP.i32Add);
    f.v128Load(offset);
    if (vv !== null) f.get(vv).simd(SIMD.f32x4Mul);
    f.simd(SIMD.f32x4Add).v128Store(offset);
  };
  const unrolled = (vectors: number) => {
    for (let q = 0; q < vectors; q++) one(16 * q, false);
  };
  f.get(coBytes).i32(128).op(OP.i32Eq).if(
    () => unrolled(8),
    () => {
      f.get(coBytes).i32(64).op(OP.i32Eq).if(
        () => unrolled(4),
        () => {
          f.forRange(k, () => f.i32(0), end4, 64, () => {
            for (let q = 0; q < 4; q++) one(16 * q, true);
          });
          f.forRange(k, () => f.get(end4), coBytes, 16, () => one(0, true));
        },
      );
    },
  );
}

/** end4 = coBytes rounded down to a multiple of 64. */
function setEnd4(f: WasmFn, coBytes: number, end4: number): void {
  f.get(coBytes).i32(-64).op(OP.i32And).set(end4);
}

/**
 * For each event idx (input pixel p = idx / C, channel c), the taps of pixel p from a CSR
 * table built at compile time (scatterTable): entries tapStart[p] .. tapStart[p + 1], each the
 * byte offsets of its output row in y and of its tap's weights (channel 0) in w.
 * Params (pEvents, count, pX or 0, pW, pY, pTapStart, pTaps, C, Co).
 */
function scatterFn(): WasmFn {
  const f = new WasmFn(new Array<typeof I32>(9).fill(I32));
  const [pEv, n, pX, pW, pY, pStart, pTaps, C, Co] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [e, idx, pix, cOff, t, tEnd, a, yA, wA, k, coBytes, end4] = f.locals(I32, 12);
  const vv = f.local(V128);
  f.get(Co).i32(2).op(OP.i32Shl).set(coBytes);
  setEnd4(f, coBytes, end4);
  f.forRange(e, () => f.i32(0), n, 1, () => {
    f.get(pEv).get(e).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(OP.i32Load, 2).set(idx);
    f.get(idx).get(C).op(OP.i32DivU).set(pix);
    // cOff = (idx − pix·C) · coBytes: the channel's row within each tap's weights
    f.get(idx).get(pix).get(C).op(OP.i32Mul).op(OP.i32Sub).get(coBytes).op(OP.i32Mul).set(cOff);
    f.get(pX).if(() => {
      f.get(pX).get(idx).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(OP.f32Load, 2).simd(SIMD.f32x4Splat).set(vv);
    });
    f.get(pStart).get(pix).i32(2).op(OP.i32Shl).op(OP.i32Add).tee(a).mem(OP.i32Load, 2).set(t);
    f.get(a).mem(OP.i32Load, 2, 4).set(tEnd);
    f.forRange(t, () => f.get(t), tEnd, 1, () => {
      f.get(pTaps).get(t).i32(3).op(OP.i32Shl).op(OP.i32Add).tee(a).mem(OP.i32Load, 2).get(pY).op(OP.i32Add).set(yA);
      f.get(a).mem(OP.i32Load, 2, 4).get(pW).op(OP.i32Add).get(cOff).op(OP.i32Add).set(wA);
      f.get(pX).if(
        () => axpy(f, yA, wA, k, coBytes, vv, end4),
        () => axpy(f, yA, wA, k, coBytes, null, end4),
      );
    });
  });
  return f;
}

/**
 * The CSR tap table of `scatter` for a window geometry with C input and Co output channels:
 * start[p] .. start[p + 1] index the taps of input pixel p, taps[2t] = byte offset of the
 * output row, taps[2t + 1] = byte offset of the tap's weights (HWIO, channel 0).
 */
export function scatterTable(g: { H: number; W: number; Wo: number; KH: number; KW: number; outRow: Int32Array; outCol: Int32Array }, C: number, Co: number): { start: Int32Array; taps: Int32Array } {
  const start = new Int32Array(g.H * g.W + 1);
  const taps: number[] = [];
  for (let ih = 0; ih < g.H; ih++)
    for (let iw = 0; iw < g.W; iw++) {
      start[ih * g.W + iw] = taps.length / 2;
      for (let i = 0; i < g.KH; i++) {
        const oh = g.outRow[ih * g.KH + i]!;
        if (oh < 0) continue;
        for (let j = 0; j < g.KW; j++) {
          const ow = g.outCol[iw * g.KW + j]!;
          if (ow >= 0) taps.push((oh * g.Wo + ow) * Co * 4, (i * g.KW + j) * C * Co * 4);
        }
      }
    }
  start[g.H * g.W] = taps.length / 2;
  return { start, taps: Int32Array.from(taps) };
}

function denseFn(): WasmFn {
  const f = new WasmFn(new Array<typeof I32>(17).fill(I32));
  const [pX, pW, pY, H, W, C, Co, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL] = Array.from({ length: 17 }, (_, i) => i) as number[] as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const [oh, ow, i, j, ih, iw, c, xA, wA, wC, yA, k, coBytes, end4] = f.locals(I32, 14);
  const vv = f.local(V128);
  f.get(Co).i32(2).op(OP.i32Shl).set(coBytes);
  setEnd4(f, coBytes, end4);
  f.get(pY).set(yA);
  f.forRange(oh, () => f.i32(0), Ho, 1, () => {
    f.forRange(ow, () => f.i32(0), Wo, 1, () => {
      f.forRange(i, () => f.i32(0), KH, 1, (ci) => {
        f.get(oh).get(SH).op(OP.i32Mul).get(PT).op(OP.i32Sub).get(i).get(DH).op(OP.i32Mul).op(OP.i32Add).tee(ih);
        f.get(H).op(OP.i32GeU);
        ci.nextIf();
        f.forRange(j, () => f.i32(0), KW, 1, (cj) => {
          f.get(ow).get(SW).op(OP.i32Mul).get(PL).op(OP.i32Sub).get(j).get(DW).op(OP.i32Mul).op(OP.i32Add).tee(iw);
          f.get(W).op(OP.i32GeU);
          cj.nextIf();
          f.get(pX).get(ih).get(W).op(OP.i32Mul).get(iw).op(OP.i32Add).get(C).op(OP.i32Mul).i32(2).op(OP.i32Shl).op(OP.i32Add).set(xA);
          f.get(pW).get(i).get(KW).op(OP.i32Mul).get(j).op(OP.i32Add).get(C).op(OP.i32Mul).get(coBytes).op(OP.i32Mul).op(OP.i32Add).set(wA);
          f.forRange(c, () => f.i32(0), C, 1, () => {
            f.get(xA).get(c).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(OP.f32Load, 2).simd(SIMD.f32x4Splat).set(vv);
            f.get(wA).get(c).get(coBytes).op(OP.i32Mul).op(OP.i32Add).set(wC);
            axpy(f, yA, wC, k, coBytes, vv, end4);
          });
        });
      });
      f.get(yA).get(coBytes).op(OP.i32Add).set(yA);
    });
  });
  return f;
}

function addBiasFn(): WasmFn {
  const f = new WasmFn([I32, I32, I32, I32]);
  const [pY, pB, pixels, Co] = [0, 1, 2, 3];
  const [p, k, yA, coBytes] = f.locals(I32, 4);
  f.get(Co).i32(2).op(OP.i32Shl).set(coBytes);
  f.get(pY).set(yA);
  f.forRange(p, () => f.i32(0), pixels, 1, () => {
    f.forRange(k, () => f.i32(0), coBytes, 16, () => {
      f.get(yA).get(k).op(OP.i32Add);
      f.get(yA).get(k).op(OP.i32Add).v128Load();
      f.get(pB).get(k).op(OP.i32Add).v128Load();
      f.simd(SIMD.f32x4Add).v128Store();
    });
    f.get(yA).get(coBytes).op(OP.i32Add).set(yA);
  });
  return f;
}

/**
 * Branch-free, as neurons/single-spike.ts: u₁ = λ·u + I (float32 multiply, then add; the
 * potential where 'freeze' and fired), s = (u₁ > θ) ∧ ¬fired, u = u₁ ('freeze') or u₁·(1 − s).
 * Spike indices are appended (ascending) only for groups of 4 with a spike.
 */
function singleSpikeFn(freeze: boolean, unitLeak: boolean): WasmFn {
  const f = new WasmFn([I32, I32, I32, I32, I32, I32, F32, F32], [I32]);
  const [pI, pU, pF, pS, pEv, n, lam, th] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, bytes, cnt] = f.locals(I32, 3);
  const [vl, vt, one, fm, u, u1, s, sOne] = f.locals(V128, 8);
  f.get(n).i32(2).op(OP.i32Shl).set(bytes);
  f.splat(lam).set(vl);
  f.splat(th).set(vt);
  f.f32(1).simd(SIMD.f32x4Splat).set(one);
  f.i32(0).set(cnt);
  f.forRange(i, () => f.i32(0), bytes, 16, () => {
    f.get(pF).get(i).op(OP.i32Add).v128Load().v128Zero().simd(SIMD.f32x4Ne).set(fm);
    f.get(pU).get(i).op(OP.i32Add).v128Load().set(u);
    if (unitLeak) f.get(u);
    else f.get(vl).get(u).simd(SIMD.f32x4Mul);
    f.get(pI).get(i).op(OP.i32Add).v128Load().simd(SIMD.f32x4Add).set(u1);
    if (freeze) f.get(u).get(u1).get(fm).simd(SIMD.bitselect).set(u1);
    f.get(u1).get(vt).simd(SIMD.f32x4Gt).get(fm).simd(SIMD.andnot).set(s);
    f.get(s).get(one).simd(SIMD.and).set(sOne);
    f.get(pS).get(i).op(OP.i32Add).get(sOne).v128Store();
    f.get(pF).get(i).op(OP.i32Add).get(fm).get(one).simd(SIMD.and).get(sOne).simd(SIMD.or).v128Store();
    f.get(pU).get(i).op(OP.i32Add).get(u1);
    if (!freeze) f.get(s).simd(SIMD.andnot);
    f.v128Store();
    f.get(s).simd(SIMD.anyTrue).if(() => {
      for (let l = 0; l < 4; l++) {
        // events[cnt] = i/4 + l; cnt += s[l] ≠ 0 (a true lane is −1)
        f.get(pEv).get(cnt).i32(2).op(OP.i32Shl).op(OP.i32Add).get(i).i32(2).op(OP.i32ShrU).i32(l).op(OP.i32Add).mem(OP.i32Store, 2);
        f.get(cnt).get(s).simd(SIMD.i32x4ExtractLane, l).op(OP.i32Sub).set(cnt);
      }
    });
  });
  f.get(cnt);
  return f;
}

/**
 * IF/LIF as neurons/lif.ts computes it (θ > 0, so the spike test is v > θ): 'current':
 * u₁ = λ·u + I, s = u₁ > θ, u = u₁ − θ·s (soft) or u₁·(1 − s) (hard); 'previous': s = u > θ,
 * u = (λ·u + I) − θ·s (soft) or λ·u·(1 − s) + I (hard). Float32 multiply, then add.
 */
function lifFn(current: boolean, hard: boolean): WasmFn {
  const f = new WasmFn([I32, I32, I32, I32, I32, I32, I32, I32], [I32]);
  const [pI, pU, pS, pEv, pixels, C, pL, pT] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [p, k, i, cBytes, cnt] = f.locals(I32, 5);
  const [vl, vt, one, u, lu, u1, s] = f.locals(V128, 7);
  f.get(C).i32(2).op(OP.i32Shl).set(cBytes);
  f.f32(1).simd(SIMD.f32x4Splat).set(one);
  f.i32(0).set(cnt);
  f.i32(0).set(i);
  f.forRange(p, () => f.i32(0), pixels, 1, () => {
    f.forRange(k, () => f.i32(0), cBytes, 16, () => {
      f.get(pL).get(k).op(OP.i32Add).v128Load().set(vl);
      f.get(pT).get(k).op(OP.i32Add).v128Load().set(vt);
      f.get(pU).get(i).op(OP.i32Add).v128Load().set(u);
      f.get(vl).get(u).simd(SIMD.f32x4Mul).set(lu);
      if (current) {
        f.get(lu).get(pI).get(i).op(OP.i32Add).v128Load().simd(SIMD.f32x4Add).set(u1);
        f.get(u1).get(vt).simd(SIMD.f32x4Gt).set(s);
        f.get(pU).get(i).op(OP.i32Add);
        if (hard) f.get(u1).get(s).simd(SIMD.andnot);
        else f.get(u1).get(vt).get(s).simd(SIMD.and).simd(SIMD.f32x4Sub);
        f.v128Store();
      } else {
        f.get(u).get(vt).simd(SIMD.f32x4Gt).set(s);
        f.get(pU).get(i).op(OP.i32Add);
        if (hard) f.get(lu).get(s).simd(SIMD.andnot).get(pI).get(i).op(OP.i32Add).v128Load().simd(SIMD.f32x4Add);
        else f.get(lu).get(pI).get(i).op(OP.i32Add).v128Load().simd(SIMD.f32x4Add).get(vt).get(s).simd(SIMD.and).simd(SIMD.f32x4Sub);
        f.v128Store();
      }
      f.get(pS).get(i).op(OP.i32Add).get(s).get(one).simd(SIMD.and).v128Store();
      f.get(s).simd(SIMD.anyTrue).if(() => {
        for (let l = 0; l < 4; l++) {
          f.get(pEv).get(cnt).i32(2).op(OP.i32Shl).op(OP.i32Add).get(i).i32(2).op(OP.i32ShrU).i32(l).op(OP.i32Add).mem(OP.i32Store, 2);
          f.get(cnt).get(s).simd(SIMD.i32x4ExtractLane, l).op(OP.i32Sub).set(cnt);
        }
      });
      f.get(i).i32(16).op(OP.i32Add).set(i);
    });
  });
  f.get(cnt);
  return f;
}

function orPoolFn(): WasmFn {
  const f = new WasmFn([I32, I32, I32, I32]);
  const [pEv, n, pTo, pY] = [0, 1, 2, 3];
  const [e, o] = f.locals(I32, 2);
  f.forRange(e, () => f.i32(0), n, 1, (c) => {
    f.get(pTo).get(pEv).get(e).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(OP.i32Load, 2).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(OP.i32Load, 2).tee(o);
    f.i32(0).op(OP.i32LtS);
    c.nextIf();
    f.get(pY).get(o).i32(2).op(OP.i32Shl).op(OP.i32Add).f32(1).mem(OP.f32Store, 2);
  });
  return f;
}

function listNonZeroFn(): WasmFn {
  const f = new WasmFn([I32, I32, I32], [I32]);
  const [pY, n, pOut] = [0, 1, 2];
  const [i, bytes, cnt] = f.locals(I32, 3);
  const m = f.local(V128);
  f.get(n).i32(2).op(OP.i32Shl).set(bytes);
  f.i32(0).set(cnt);
  f.forRange(i, () => f.i32(0), bytes, 16, () => {
    f.get(pY).get(i).op(OP.i32Add).v128Load().v128Zero().simd(SIMD.f32x4Ne).tee(m).simd(SIMD.anyTrue).if(() => {
      for (let l = 0; l < 4; l++) {
        f.get(pOut).get(cnt).i32(2).op(OP.i32Shl).op(OP.i32Add).get(i).i32(2).op(OP.i32ShrU).i32(l).op(OP.i32Add).mem(OP.i32Store, 2);
        f.get(cnt).get(m).simd(SIMD.i32x4ExtractLane, l).op(OP.i32Sub).set(cnt);
      }
    });
  });
  f.get(cnt);
  return f;
}

export function runtimeSimdBytes(): Uint8Array {
  return assembleModule([
    ['scatter', scatterFn()],
    ['dense', denseFn()],
    ['addBias', addBiasFn()],
    ['singleSpikeReset', singleSpikeFn(false, false)],
    ['singleSpikeFreeze', singleSpikeFn(true, false)],
    ['singleSpikeResetUnit', singleSpikeFn(false, true)],
    ['singleSpikeFreezeUnit', singleSpikeFn(true, true)],
    ['lifCurrentSoft', lifFn(true, false)],
    ['lifCurrentHard', lifFn(true, true)],
    ['lifPreviousSoft', lifFn(false, false)],
    ['lifPreviousHard', lifFn(false, true)],
    ['orPool', orPoolFn()],
    ['listNonZero', listNonZeroFn()],
  ]);
}

let enabled = true;

/** Turn the SIMD kernels off (the JavaScript loops then run): for tests and the bench. */
export function setRuntimeSimd(on: boolean): void {
  enabled = on;
}

const cache = wasmInstanceCache<RuntimeSimd>(runtimeSimdBytes);

let probe: WebAssembly.Memory | undefined;
const notToRun = (): never => {
  throw new Error('the SIMD kernels of a counting arena do not run');
};
/** Stands in for the kernels while an arena is only counted: handlers allocate as they will for SIMD. */
const COUNTING: RuntimeSimd = { scatter: notToRun, dense: notToRun, addBias: notToRun, singleSpikeReset: notToRun, singleSpikeFreeze: notToRun, singleSpikeResetUnit: notToRun, singleSpikeFreezeUnit: notToRun, lifCurrentSoft: notToRun, lifCurrentHard: notToRun, lifPreviousSoft: notToRun, lifPreviousHard: notToRun, orPool: notToRun, listNonZero: notToRun };

/**
 * The kernels bound to `memory`, or null without wasm SIMD (or when turned off). For a counting
 * arena (memory null), a stand-in when the kernels would be there, so the count matches.
 */
export function runtimeSimdFor(memory: WebAssembly.Memory | null): RuntimeSimd | null {
  if (!enabled) return null;
  if (memory !== null) return cache(memory);
  probe ??= new WebAssembly.Memory({ initial: 1 });
  return cache(probe) === null ? null : COUNTING;
}
