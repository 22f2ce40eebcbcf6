/**
 * Window geometry shared by convolutions and pools: explicit pads from 'same'/'valid'/explicit
 * padding (tfjs SAME_UPPER, as execute.ts), and for every input row (column) and kernel tap
 * the output row (column) whose window puts that tap on it, so a scatter from an input event
 * finds its outputs without division.
 */
import { pair, type ExplicitPadding } from '@spikelite/schemas';

export interface Window2d {
  readonly H: number;
  readonly W: number;
  readonly Ho: number;
  readonly Wo: number;
  readonly KH: number;
  readonly KW: number;
  readonly SH: number;
  readonly SW: number;
  readonly DH: number;
  readonly DW: number;
  /** Pad rows above and columns left (the others follow from the output size). */
  readonly PT: number;
  readonly PL: number;
  /** Explicit pads (without any ceil-mode overhang). */
  readonly pads: ExplicitPadding;
  /** outRow[ih·KH + i] = the output row whose tap i reads input row ih, or −1. */
  readonly outRow: Int32Array;
  readonly outCol: Int32Array;
}

/** tfjs 'same' padding as explicit pads (SAME_UPPER: the odd pixel at the end); shared with execute.ts. */
export function samePads(h: number, w: number, k: [number, number], s: [number, number], d: [number, number]): ExplicitPadding {
  const axis = (n: number, kk: number, ss: number, dd: number): [number, number] => {
    const total = Math.max((Math.ceil(n / ss) - 1) * ss + (kk - 1) * dd + 1 - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [top, bottom] = axis(h, k[0], s[0], d[0]);
  const [left, right] = axis(w, k[1], s[1], d[1]);
  return { top, bottom, left, right };
}

function outTable(n: number, no: number, k: number, s: number, d: number, p: number): Int32Array {
  const t = new Int32Array(n * k).fill(-1);
  for (let o = 0; o < no; o++)
    for (let i = 0; i < k; i++) {
      const x = o * s - p + i * d;
      if (x >= 0 && x < n) t[x * k + i] = o;
    }
  return t;
}

export function window2d(
  input: readonly number[],
  output: readonly number[],
  kernel: number | readonly [number, number],
  strides: number | readonly [number, number],
  dilations: number | readonly [number, number],
  padding: 'same' | 'valid' | ExplicitPadding,
): Window2d {
  const [H, W] = input as [number, number];
  const [Ho, Wo] = output as [number, number];
  const [KH, KW] = pair(kernel as number);
  const [SH, SW] = pair(strides as number);
  const [DH, DW] = pair(dilations as number);
  const pads =
    padding === 'same' ? samePads(H, W, [KH, KW], [SH, SW], [DH, DW]) : padding === 'valid' ? { top: 0, bottom: 0, left: 0, right: 0 } : padding;
  return {
    H, W, Ho, Wo, KH, KW, SH, SW, DH, DW, PT: pads.top, PL: pads.left, pads,
    outRow: outTable(H, Ho, KH, SH, DH, pads.top),
    outCol: outTable(W, Wo, KW, SW, DW, pads.left),
  };
}
