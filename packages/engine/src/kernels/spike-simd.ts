/**
 * Event-driven convolution for sparse inputs (spikes), as WebAssembly SIMD assembled at load
 * time (../wasm/asm.ts), working in the tfjs wasm backend's heap.
 *
 * A layer's input x [N, H, W, C] becomes, once per call, a list of events (its non-zero
 * entries) per input pixel: the active channels and their values (`csr4`/`csr1`). Then, for
 * every output pixel, every kernel tap and every event of the input pixel under the tap:
 *  - forward: y[pixel, co] += v · w[tap, c, co], 32 output channels accumulating in 8
 *    registers per pass over the events (loads only; w stays in cache);
 *  - weight gradient: dW[tap, c, co] += v · dy[pixel, co], dy's block in registers and dW
 *    (weight-sized, so cached) updated in place; a pixel whose dy block is all zeros is
 *    skipped (surrogate gradients are often gated).
 * Work is proportional to the number of events: a silent input costs a scan and a pass over
 * the output. With binary inputs (spikes) the multiply by v is skipped. Sums run over the
 * events in input order, so results match a dense convolution to float32 rounding, not bit
 * for bit.
 */
import { F32, I32, OP, SIMD, V128, WasmFn, assembleModule, wasmInstanceCache, type LoopControl } from '../wasm/asm.js';

/** Output channels per pass: 8 v128 accumulators. */
export const SPIKE_BLOCK = 32;

export interface SpikeSimd {
  /** Over x[0 .. bytes/4) (bytes a multiple of 16): writes at pOut two i32, the non-zero count and the count of values ∉ {0, 1}. */
  scan(pX: number, bytes: number, pOut: number): void;
  /** Events per pixel; C a multiple of 4. Returns the number of events. Needs nnz + 4 slots in idx/val. */
  csr4(pX: number, nPix: number, C: number, pRow: number, pIdx: number, pVal: number): number;
  /** The same for any C. */
  csr1(pX: number, nPix: number, C: number, pRow: number, pIdx: number, pVal: number): number;
  fwd: ConvFn;
  fwdBinary: ConvFn;
  /** Weight gradient by output pixel: (pRow, pIdx, pVal, pDW, pDy, ...the ConvFn geometry, pTaps); pDW zeroed first. */
  dwTap: ConvFn;
  dwTapBinary: ConvFn;
  zero(p: number, bytes: number): void;
}

/** (pRow, pIdx, pVal, pW, pY, N, H, W, C, Co, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL, pTaps); the output zeroed first. */
export type ConvFn = (...args: number[]) => void;

/** i32 arithmetic helpers on locals. */
function addr4(f: WasmFn, base: number, index: number): WasmFn {
  return f.get(base).get(index).i32(2).op(OP.i32Shl).op(OP.i32Add);
}

function scanFn(): WasmFn {
  const f = new WasmFn([I32, I32, I32]);
  const [pX, bytes, pOut] = [0, 1, 2];
  const i = f.local(I32);
  const [v, nz, accNz, accNb, zero, one] = f.locals(V128, 6);
  f.v128Zero().set(zero);
  f.v128Zero().set(accNz);
  f.v128Zero().set(accNb);
  f.f32(1).simd(SIMD.f32x4Splat).set(one);
  f.forRange(i, () => f.i32(0), bytes, 16, () => {
    f.get(pX).get(i).op(OP.i32Add).v128Load().set(v);
    f.get(v).get(zero).simd(SIMD.f32x4Ne).set(nz);
    // A true lane is −1: acc − mask counts it.
    f.get(accNz).get(nz).simd(SIMD.i32x4Sub).set(accNz);
    f.get(accNb).get(nz).get(v).get(one).simd(SIMD.f32x4Ne).simd(SIMD.and).simd(SIMD.i32x4Sub).set(accNb);
  });
  const lanes = (acc: number) => {
    f.get(acc).simd(SIMD.i32x4ExtractLane, 0);
    for (let l = 1; l < 4; l++) f.get(acc).simd(SIMD.i32x4ExtractLane, l).op(OP.i32Add);
  };
  f.get(pOut);
  lanes(accNz);
  f.mem(OP.i32Store, 2, 0);
  f.get(pOut);
  lanes(accNb);
  f.mem(OP.i32Store, 2, 4);
  return f;
}

/** Store idx[cnt] = c, val[cnt] = x and advance cnt when x ≠ 0 (branch-free). */
function emitEvent(f: WasmFn, pIdx: number, pVal: number, cnt: number, c: () => void, x: number): void {
  addr4(f, pIdx, cnt);
  c();
  f.mem(OP.i32Store, 2);
  addr4(f, pVal, cnt).get(x).mem(OP.f32Store, 2);
  f.get(cnt).get(x).f32(0).op(OP.f32Ne).op(OP.i32Add).set(cnt);
}

function csrFn(quads: boolean): WasmFn {
  const f = new WasmFn([I32, I32, I32, I32, I32, I32], [I32]);
  const [pX, nPix, C, pRow, pIdx, pVal] = [0, 1, 2, 3, 4, 5];
  const [p, c, cnt, xp] = f.locals(I32, 4);
  const x = f.local(F32);
  f.i32(0).set(cnt);
  f.get(pX).set(xp);
  f.forRange(p, () => f.i32(0), nPix, 1, () => {
    addr4(f, pRow, p).get(cnt).mem(OP.i32Store, 2);
    if (quads) {
      f.forRange(c, () => f.i32(0), C, 4, () => {
        f.get(xp).v128Load().v128Zero().simd(SIMD.f32x4Ne).simd(SIMD.anyTrue);
        f.if(() => {
          for (let lane = 0; lane < 4; lane++) {
            f.get(xp).mem(OP.f32Load, 2, 4 * lane).set(x);
            emitEvent(f, pIdx, pVal, cnt, () => f.get(c).i32(lane).op(OP.i32Add), x);
          }
        });
        f.get(xp).i32(16).op(OP.i32Add).set(xp);
      });
    } else {
      f.forRange(c, () => f.i32(0), C, 1, () => {
        f.get(xp).mem(OP.f32Load, 2).set(x);
        emitEvent(f, pIdx, pVal, cnt, () => f.get(c), x);
        f.get(xp).i32(4).op(OP.i32Add).set(xp);
      });
    }
  });
  addr4(f, pRow, nPix).get(cnt).mem(OP.i32Store, 2);
  f.get(cnt);
  return f;
}

/** acc[k] (+)= [v ·] load(address + 16k) for k < width; the address is in `a`. */
function accumulate(f: WasmFn, acc: number[], a: number, vv: number | null): void {
  acc.forEach((r, k) => {
    f.get(r).get(a).v128Load(16 * k);
    if (vv !== null) f.get(vv).simd(SIMD.f32x4Mul);
    f.simd(SIMD.f32x4Add).set(r);
  });
}

function storeAcc(f: WasmFn, acc: number[], a: number): void {
  acc.forEach((r, k) => {
    f.get(a).get(r).v128Store(16 * k);
  });
}

/**
 * The output-pixel loop shared by the forward and the weight gradient: for every output
 * pixel, the kernel taps whose input pixel has events are listed once (in scratch at
 * pTaps: byte offset of the tap's weights, first and end event), then in passes of 32 output
 * channels (then at most one of 16, 8 and 4):
 *  - 'fwd': y[pixel, cb] = Σ v · w[tap, c, cb], accumulated in registers;
 *  - 'dw':  dW[tap, c, cb] += v · dy[pixel, cb], dy's block held in registers (dW stays in
 *    cache: weight-sized, not activation-sized).
 * The caller zeroes y (fwd) or dW (dw) first; pixels with no events are skipped.
 * Params (pRow, pIdx, pVal, pW|pDW, pY|pDy, N, H, W, C, Co, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL, pTaps).
 */
function tapFn(kind: 'fwd' | 'dw', binary: boolean): WasmFn {
  const f = new WasmFn(new Array<typeof I32>(21).fill(I32));
  const [pRow, pIdx, pVal, pW, pY, N, H, W, C, Co, Ho, Wo, KH, KW, SH, SW, DH, DW, PT, PL, pTaps] = Array.from({ length: 21 }, (_, k) => k) as number[] as [
    number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const [n, oh, ow, cb, i, j, ih, iw, e, eEnd, wTap, yRow, a, coBytes, nMain, pixRow, tapStride, nt, t] = f.locals(I32, 19);
  const [end16, end8] = f.locals(I32, 2);
  const regs: number[] = f.locals(V128, 8);
  const vv = binary ? null : f.local(V128);
  f.get(Co).i32(2).op(OP.i32Shl).set(coBytes);
  f.get(Co).i32(-SPIKE_BLOCK).op(OP.i32And).set(nMain);
  // After the 32-channel passes, at most one pass each of 16, 8 and 4 channels.
  f.get(Co).i32(-16).op(OP.i32And).set(end16);
  f.get(Co).i32(-8).op(OP.i32And).set(end8);
  // Bytes between the weights of consecutive taps (i, j): C·Co floats.
  f.get(C).get(coBytes).op(OP.i32Mul).set(tapStride);
  f.get(pY).set(yRow);

  /** List the taps of output pixel (n, oh, ow) that see events; nt = bytes of list. */
  const listTaps = () => {
    f.i32(0).set(nt);
    f.forRange(i, () => f.i32(0), KH, 1, (ci: LoopControl) => {
      f.get(oh).get(SH).op(OP.i32Mul).get(PT).op(OP.i32Sub).get(i).get(DH).op(OP.i32Mul).op(OP.i32Add).tee(ih);
      f.get(H).op(OP.i32GeU);
      ci.nextIf();
      // pixRow = (n·H + ih)·W
      f.get(n).get(H).op(OP.i32Mul).get(ih).op(OP.i32Add).get(W).op(OP.i32Mul).set(pixRow);
      f.forRange(j, () => f.i32(0), KW, 1, (cj: LoopControl) => {
        f.get(ow).get(SW).op(OP.i32Mul).get(PL).op(OP.i32Sub).get(j).get(DW).op(OP.i32Mul).op(OP.i32Add).tee(iw);
        f.get(W).op(OP.i32GeU);
        cj.nextIf();
        // events of pixel (pixRow + iw): rowPtr[pix] .. rowPtr[pix + 1]
        f.get(pixRow).get(iw).op(OP.i32Add).i32(2).op(OP.i32Shl).get(pRow).op(OP.i32Add).tee(a);
        f.mem(OP.i32Load, 2).set(e);
        f.get(a).mem(OP.i32Load, 2, 4).tee(eEnd).get(e).op(OP.i32Eq);
        cj.nextIf();
        f.get(pTaps).get(nt).op(OP.i32Add).set(a);
        f.get(a).get(i).get(KW).op(OP.i32Mul).get(j).op(OP.i32Add).get(tapStride).op(OP.i32Mul).mem(OP.i32Store, 2, 0);
        f.get(a).get(e).mem(OP.i32Store, 2, 4);
        f.get(a).get(eEnd).mem(OP.i32Store, 2, 8);
        f.get(nt).i32(12).op(OP.i32Add).set(nt);
      });
    });
  };

  const passes = (width: number, from: () => void, to: number) => {
    const r = regs.slice(0, width / 4);
    f.forRange(cb, from, to, width, (cc: LoopControl) => {
      if (kind === 'fwd') {
        for (const x of r) f.v128Zero().set(x);
      } else {
        // This pixel's dy block; skip the pass when it is all zeros (gated gradients).
        f.get(yRow).get(cb).i32(2).op(OP.i32Shl).op(OP.i32Add).set(a);
        r.forEach((x, k) => f.get(a).v128Load(16 * k).set(x));
        f.get(r[0]!);
        for (const x of r.slice(1)) f.get(x).simd(SIMD.or);
        f.simd(SIMD.anyTrue).op(OP.i32Eqz);
        cc.nextIf();
      }
      f.forRange(t, () => f.i32(0), nt, 12, () => {
        f.get(pTaps).get(t).op(OP.i32Add).tee(a).mem(OP.i32Load, 2, 0).get(pW).op(OP.i32Add).get(cb).i32(2).op(OP.i32Shl).op(OP.i32Add).set(wTap);
        f.get(a).mem(OP.i32Load, 2, 8).set(eEnd);
        f.forRange(e, () => f.get(a).mem(OP.i32Load, 2, 4), eEnd, 1, () => {
          addr4(f, pIdx, e).mem(OP.i32Load, 2).get(coBytes).op(OP.i32Mul).get(wTap).op(OP.i32Add).set(a);
          if (vv !== null) addr4(f, pVal, e).mem(OP.f32Load, 2).simd(SIMD.f32x4Splat).set(vv);
          if (kind === 'fwd') {
            accumulate(f, r, a, vv);
          } else {
            r.forEach((x, k) => {
              f.get(a).get(a).v128Load(16 * k).get(x);
              if (vv !== null) f.get(vv).simd(SIMD.f32x4Mul);
              f.simd(SIMD.f32x4Add).v128Store(16 * k);
            });
          }
        });
      });
      if (kind === 'fwd') {
        f.get(yRow).get(cb).i32(2).op(OP.i32Shl).op(OP.i32Add).set(a);
        storeAcc(f, r, a);
      }
    });
  };

  f.forRange(n, () => f.i32(0), N, 1, () => {
    f.forRange(oh, () => f.i32(0), Ho, 1, () => {
      f.forRange(ow, () => f.i32(0), Wo, 1, () => {
        listTaps();
        f.get(nt).if(() => {
          passes(SPIKE_BLOCK, () => f.i32(0), nMain);
          passes(16, () => f.get(nMain), end16);
          passes(8, () => f.get(end16), end8);
          passes(4, () => f.get(end8), Co);
        });
        f.get(yRow).get(coBytes).op(OP.i32Add).set(yRow);
      });
    });
  });
  return f;
}

/** Zero `bytes` (a multiple of 4) from p. */
function zeroFn(): WasmFn {
  const f = new WasmFn([I32, I32]);
  const [p, bytes] = [0, 1];
  const [i, end16] = f.locals(I32, 2);
  f.get(bytes).i32(-16).op(OP.i32And).set(end16);
  f.forRange(i, () => f.i32(0), end16, 16, () => {
    f.get(p).get(i).op(OP.i32Add).v128Zero().v128Store();
  });
  f.forRange(i, () => f.get(end16), bytes, 4, () => {
    f.get(p).get(i).op(OP.i32Add).i32(0).mem(OP.i32Store, 2);
  });
  return f;
}

export function spikeSimdBytes(): Uint8Array {
  return assembleModule([
    ['scan', scanFn()],
    ['csr4', csrFn(true)],
    ['csr1', csrFn(false)],
    ['fwd', tapFn('fwd', false)],
    ['fwdBinary', tapFn('fwd', true)],
    ['dwTap', tapFn('dw', false)],
    ['dwTapBinary', tapFn('dw', true)],
    ['zero', zeroFn()],
  ]);
}

/** The kernels bound to a wasm memory, or null without wasm SIMD. */
export const spikeSimdFor = wasmInstanceCache<SpikeSimd>(spikeSimdBytes);
