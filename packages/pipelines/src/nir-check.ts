/**
 * What `spikelite export --format nir` checks after writing the file: the NIR graph read back
 * (@spikelite/nir: readNir → nirToSpikelite → createNirSnn, with the SNN's own encoding) and
 * run on the same images as the SNN it came from. Every spike of every neuron layer at every
 * step must be the same, and the graph's readout (the `I` before its Output, holding U(t)) must
 * end on the SNN's logits. A soft reset, which NIR cannot express, shows up here as spikes
 * that differ.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SnnModel } from '@spikelite/models';
import { createNirSnn, nirToSpikelite, readNir } from '@spikelite/nir';
import type { NirConvention } from '@spikelite/schemas';

export interface NirCheckResult {
  images: number;
  /** max |NIR readout at the last step − spikelite logits|. */
  maxAbsDiff: number;
  /** spikelite's logit range. */
  outputRange: { min: number; max: number; span: number };
  relativeDiff: number;
  top1Agreement: number;
  /**
   * Spikes per neuron layer over all images and steps, and `differing`: (neuron, step, image)
   * elements whose spike differs; `total`: all spikelite spikes.
   */
  spikes: { nir: number[]; spikelite: number[]; differing: number; total: number };
  /** No spike differs and relativeDiff ≤ tolerance. */
  ok: boolean;
  tolerance: number;
}

interface Recorded {
  /** [layer][t]: the spikes of one batch. */
  spikes: Float32Array[][];
  /** The readout after the last step (NIR) or U(T) (spikelite). */
  last: Float32Array;
}

function record(snn: SnnModel, images: tf.Tensor, layers: number, readout: 'logits' | 'output'): Recorded {
  const spikes: Float32Array[][] = Array.from({ length: layers }, () => []);
  let last = new Float32Array(0);
  const T = snn.timesteps;
  const r = snn.forward(images, {
    release: true,
    onSpikes: (l, t, s) => {
      if (l < layers) spikes[l]![t] = Float32Array.from(s.dataSync());
    },
    ...(readout === 'output' ? { onOutput: (t: number, y: tf.Tensor) => void (t === T - 1 && (last = Float32Array.from(y.dataSync()))) } : {}),
  });
  if (readout === 'logits') last = Float32Array.from(r.logits.dataSync());
  tf.dispose([r.logits, r.spikeCounts, ...(r.membrane ?? []), ...(r.inputCounts ? [r.inputCounts] : [])]);
  return { spikes, last };
}

const argmax = (v: Float32Array, row: number, k: number): number => {
  let best = 0;
  for (let c = 1; c < k; c++) if (v[row * k + c]! > v[row * k + best]!) best = c;
  return best;
};

/**
 * Reads `file.bytes` back and runs it against `snn` on `images` (NHWC, as the SNN's encoder
 * takes them), `batchSize` images at a time. The file must have been written with a readout
 * (exportSnnToNir's default), so its Output's last row is U(T).
 */
export async function checkNirFile(
  snn: SnnModel,
  file: { bytes: Uint8Array; dt: number; convention: NirConvention; source?: string },
  images: tf.Tensor4D,
  options: { batchSize?: number; tolerance?: number } = {},
): Promise<NirCheckResult> {
  const source = file.source ?? 'exported NIR file';
  const doc = await readNir(file.bytes, { source });
  const imported = nirToSpikelite(doc.graph, { dt: file.dt, convention: file.convention, source });
  const again = createNirSnn(imported, { timesteps: snn.timesteps, encoding: snn.encoder.spec });
  const layers = snn.neurons.length;
  const n = images.shape[0];
  const bs = options.batchSize ?? 8;
  const tolerance = options.tolerance ?? 1e-4;
  const totals = { spikelite: new Array<number>(layers).fill(0), nir: new Array<number>(layers).fill(0) };
  let differing = 0;
  let maxAbsDiff = 0;
  let min = Infinity;
  let max = -Infinity;
  let agree = 0;
  try {
    for (let from = 0; from < n; from += bs) {
      const count = Math.min(bs, n - from);
      const batch = tf.slice(images, [from, 0, 0, 0], [count, -1, -1, -1]);
      let a: Recorded;
      let b: Recorded;
      try {
        a = record(snn, batch, layers, 'logits');
        b = record(again, batch, layers, 'output');
      } finally {
        batch.dispose();
      }
      for (let l = 0; l < layers; l++) {
        for (let t = 0; t < snn.timesteps; t++) {
          const x = a.spikes[l]![t]!;
          const y = b.spikes[l]![t]!;
          for (let i = 0; i < x.length; i++) {
            totals.spikelite[l]! += x[i]!;
            totals.nir[l]! += y[i]!;
            if (x[i] !== y[i]) differing++;
          }
        }
      }
      const k = a.last.length / count;
      if (b.last.length !== a.last.length) throw new Error(`checkNirFile: the NIR readout has ${b.last.length / count} values per image, the SNN's logits ${k}`);
      for (let i = 0; i < a.last.length; i++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a.last[i]! - b.last[i]!));
        min = Math.min(min, a.last[i]!);
        max = Math.max(max, a.last[i]!);
      }
      for (let row = 0; row < count; row++) if (argmax(a.last, row, k) === argmax(b.last, row, k)) agree++;
    }
  } finally {
    again.dispose();
    again.network.dispose();
  }
  const span = max - min;
  const relativeDiff = span > 0 ? maxAbsDiff / span : maxAbsDiff;
  const total = totals.spikelite.reduce((p, q) => p + q, 0);
  return {
    images: n,
    maxAbsDiff,
    outputRange: { min, max, span },
    relativeDiff,
    top1Agreement: n === 0 ? 1 : agree / n,
    spikes: { nir: totals.nir, spikelite: totals.spikelite, differing, total },
    ok: differing === 0 && relativeDiff <= tolerance,
    tolerance,
  };
}
