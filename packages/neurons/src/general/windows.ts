/**
 * Splitting a neuron population into the general-SNN neuron's windows g1..gn and back
 * (SPEC §2a/§2e; the layout here is this project's choice, see README-section.md):
 *
 * - [N, H, W, C] feature maps: an r × c grid of equal spatial windows, r the largest divisor of
 *   n not above √n (n = 4: 2 × 2 quadrants), in row-major order (g1 top-left, g2 top-right,
 *   g3 bottom-left, g4 bottom-right). H and W are zero-padded up to multiples of r and c so the
 *   windows align element by element; the padding is cropped after the merge.
 * - any other rank ([N, F], [N, L, C], ...): the features per sample, flattened in row-major
 *   order, are cut into n contiguous groups, zero-padded to a multiple of n.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface GeneralWindowSplit {
  /** The n windows, each of one shape. */
  readonly parts: tf.Tensor[];
  /** Inverse of the split: n window tensors (of the parts' shape) → a tensor of the input's shape. */
  merge(parts: readonly tf.Tensor[]): tf.Tensor;
}

/** Rows × columns of the spatial window grid for n windows. */
export function generalWindowGrid(n: number): { rows: number; cols: number } {
  if (!Number.isInteger(n) || n < 1) throw new Error(`general.windows must be a positive integer, got ${n}`);
  let rows = 1;
  for (let r = 1; r * r <= n; r++) if (n % r === 0) rows = r;
  return { rows, cols: n / rows };
}

/** Split `x` ([batch, ...features]) into `n` windows. Call inside tf.tidy. */
export function generalSplitWindows(x: tf.Tensor, n: number): GeneralWindowSplit {
  if (x.rank < 2) throw new Error(`general neuron: input must be [batch, ...features], got shape [${x.shape}]`);
  if (x.rank === 4) return splitGrid(x as tf.Tensor4D, n);
  return splitFlat(x, n);
}

function splitGrid(x: tf.Tensor4D, n: number): GeneralWindowSplit {
  const [N, H, W, C] = x.shape;
  const { rows, cols } = generalWindowGrid(n);
  const hh = Math.ceil(H / rows);
  const ww = Math.ceil(W / cols);
  const padded =
    hh * rows === H && ww * cols === W
      ? x
      : tf.pad(x, [
          [0, 0],
          [0, hh * rows - H],
          [0, ww * cols - W],
          [0, 0],
        ]);
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) parts.push(tf.slice(padded, [0, i * hh, j * ww, 0], [N, hh, ww, C]));
  }
  return {
    parts,
    merge(ws: readonly tf.Tensor[]): tf.Tensor {
      if (ws.length !== n) throw new Error(`merge: expected ${n} windows, got ${ws.length}`);
      const rowTensors: tf.Tensor[] = [];
      for (let i = 0; i < rows; i++) {
        const row = ws.slice(i * cols, (i + 1) * cols);
        rowTensors.push(row.length === 1 ? row[0]! : tf.concat(row, 2));
      }
      const full = rowTensors.length === 1 ? rowTensors[0]! : tf.concat(rowTensors, 1);
      return full.shape[1] === H && full.shape[2] === W ? full : tf.slice(full, [0, 0, 0, 0], [N, H, W, C]);
    },
  };
}

function splitFlat(x: tf.Tensor, n: number): GeneralWindowSplit {
  const N = x.shape[0]!;
  const F = x.size / Math.max(N, 1);
  const f = Math.ceil(F / n);
  const flat = tf.reshape(x, [N, F]);
  const padded = f * n === F ? flat : tf.pad(flat, [
    [0, 0],
    [0, f * n - F],
  ]);
  const parts: tf.Tensor[] = [];
  for (let k = 0; k < n; k++) parts.push(tf.slice(padded, [0, k * f], [N, f]));
  return {
    parts,
    merge(ws: readonly tf.Tensor[]): tf.Tensor {
      if (ws.length !== n) throw new Error(`merge: expected ${n} windows, got ${ws.length}`);
      const full = ws.length === 1 ? ws[0]! : tf.concat(ws as tf.Tensor[], 1);
      const cropped = f * n === F ? full : tf.slice(full, [0, 0], [N, F]);
      return tf.reshape(cropped, x.shape);
    },
  };
}
