/**
 * Threshold calibration: a firing threshold per activation layer from sample images.
 *  - 'ann': the statistic (max or percentile) of each activation's input in the ANN
 *    (one ANN pass; the usual data-based normalisation).
 *  - 'snn': DIET's layer-wise balancing (SPEC §4d): run the SNN with IF neurons (λ = 1) for
 *    T_bal steps; for layer l, take the statistic of its input current W_l·s_{l−1}(t) at
 *    each t and set θ_l to the maximum over t, then move on to layer l+1 with θ_l in place.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createEncoder } from '@spikelite/encoding';
import { SnnModel, type Network } from '@spikelite/models';
import { percentile } from './percentile.js';

export interface CalibrationOptions {
  mode: 'ann' | 'snn';
  statistic: 'max' | 'percentile';
  /** Used when statistic is 'percentile'. DIET: 99.7. */
  percentile: number;
  /** T_bal, 'snn' mode only. SPEC §4d: 100. */
  balanceSteps: number;
  /** Images per forward pass in 'ann' mode ('snn' mode runs all images as one batch: its statistic is per step over all of them). */
  batchSize: number;
  /** Progress: (layer index, layers, threshold found). */
  onLayer?: (layer: number, layers: number, threshold: number) => void;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = {
  mode: 'snn',
  statistic: 'percentile',
  percentile: 99.7,
  balanceSteps: 100,
  batchSize: 128,
};

function statistic(values: Float32Array, o: CalibrationOptions): number {
  if (o.statistic === 'max') {
    let m = -Infinity;
    for (let i = 0; i < values.length; i++) if (values[i]! > m) m = values[i]!;
    return m;
  }
  return percentile(values, o.percentile);
}

/** Concatenate per-batch activations of one layer (one Float32Array per batch). */
function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function batchesOf(images: tf.Tensor4D, size: number): tf.Tensor4D[] {
  const n = images.shape[0];
  const out: tf.Tensor4D[] = [];
  for (let i = 0; i < n; i += size) out.push(tf.slice(images, [i, 0, 0, 0], [Math.min(size, n - i), -1, -1, -1]));
  return out;
}

/**
 * One raw threshold (scale 1) per activation layer of `net`, from `images` (NHWC, as the
 * model's input). A layer that never receives positive input gets threshold 1 (and a warning
 * through onLayer's value), so a dead layer cannot produce a zero threshold.
 */
export function calibrateThresholds(net: Network, images: tf.Tensor4D, options: Partial<CalibrationOptions> = {}): number[] {
  const o = { ...DEFAULT_CALIBRATION, ...options };
  const layers = net.graph.activations.length;
  const batches = batchesOf(images, o.batchSize);
  const fix = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 1);
  try {
    if (o.mode === 'ann') {
      const parts: Float32Array[][] = Array.from({ length: layers }, () => []);
      for (const b of batches) {
        tf.tidy(() => {
          net.forwardAnn(b, { release: true, onActivation: (node, _out, input) => parts[node.index]!.push(input.dataSync() as Float32Array) });
        });
      }
      return parts.map((p, i) => {
        const th = fix(statistic(concat(p), o));
        o.onLayer?.(i, layers, th);
        return th;
      });
    }
    const thresholds: number[] = [];
    const snn = new SnnModel(net, {
      timesteps: o.balanceSteps,
      neuron: { kind: 'if', threshold: 1, reset: 'soft', surrogate: { kind: 'linear', gamma: 0.3 } },
      encoder: createEncoder({ kind: 'direct' }, { timesteps: o.balanceSteps }),
    });
    try {
      for (let l = 0; l < layers; l++) {
        // The statistic at step t is over all calibration images at once, so they run as one
        // batch; each step's value is reduced on the spot (T_bal steps of every activation
        // would not fit in memory) and freed (release: no gradients here).
        let th = -Infinity;
        const out = snn.forward(images, {
          release: true,
          onNeuronInput: (layer, _t, input) => {
            if (layer === l) th = Math.max(th, statistic(input.dataSync() as Float32Array, o));
          },
        });
        tf.dispose([out.logits, out.spikeCounts]);
        th = fix(th);
        thresholds.push(th);
        const layer = snn.neurons[l]!;
        if (layer.mode === 'step') layer.setParameter('threshold', th);
        o.onLayer?.(l, layers, th);
      }
    } finally {
      snn.dispose();
    }
    return thresholds;
  } finally {
    tf.dispose(batches);
  }
}
