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
  /**
   * 'layer' (SPEC §4d): one threshold per activation. 'channel': one per channel (the last
   * axis) of each activation's input, 'ann' mode only — see {@link calibrateChannelThresholds}.
   */
  granularity: 'layer' | 'channel';
  /** Progress: (layer index, layers, threshold found). */
  onLayer?: (layer: number, layers: number, threshold: number) => void;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = {
  mode: 'snn',
  statistic: 'percentile',
  percentile: 99.7,
  balanceSteps: 100,
  batchSize: 128,
  granularity: 'layer',
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

/** The images as batches of `size` (the caller disposes them). */
export function batchesOf(images: tf.Tensor4D, size: number): tf.Tensor4D[] {
  const n = images.shape[0];
  const out: tf.Tensor4D[] = [];
  for (let i = 0; i < n; i += size) out.push(tf.slice(images, [i, 0, 0, 0], [Math.min(size, n - i), -1, -1, -1]));
  return out;
}

/** Every activation's input over all calibration images (ANN mode), one array per layer. */
function annInputs(net: Network, batches: tf.Tensor4D[]): Float32Array[] {
  const parts: Float32Array[][] = net.graph.activations.map(() => []);
  for (const b of batches) {
    tf.tidy(() => {
      net.forwardAnn(b, { release: true, onActivation: (node, _out, input) => parts[node.index]!.push(input.dataSync() as Float32Array) });
    });
  }
  return parts.map(concat);
}

const positiveOr1 = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 1);

/**
 * Per-channel floor, as a fraction of the layer's own threshold. A channel that is almost never
 * positive would otherwise get a threshold near 0: its few spikes then carry almost nothing, and
 * the weight normalisation multiplies by that tiny θ, which costs float32 precision for no gain.
 */
export const CHANNEL_THRESHOLD_FLOOR = 0.01;

/**
 * One raw threshold (scale 1) per channel of each activation's input (its last axis), from an
 * ANN pass over `images`. Layers differ in range, but so do the channels of one layer — most of
 * all after depthwise convolutions, where each channel is its own 3×3 filter — and one threshold
 * per layer leaves the channels of small range firing rarely at short T. A channel that is never
 * positive gets the layer's threshold (it never fires either way); every channel is at least
 * {@link CHANNEL_THRESHOLD_FLOOR} × the layer's threshold.
 */
export function calibrateChannelThresholds(net: Network, images: tf.Tensor4D, options: Partial<CalibrationOptions> = {}): Float32Array[] {
  const o = { ...DEFAULT_CALIBRATION, mode: 'ann' as const, ...options };
  if (o.mode !== 'ann') throw new Error(`per-channel thresholds are calibrated on the ANN (mode 'ann'), not by '${o.mode}' balancing`);
  const batches = batchesOf(images, o.batchSize);
  try {
    const layers = net.graph.activations;
    return annInputs(net, batches).map((all, l) => {
      const node = layers[l]!;
      const C = node.input[node.input.length - 1]!;
      const layer = positiveOr1(statistic(all, o));
      const per = all.length / C;
      const values = new Float32Array(per);
      const out = new Float32Array(C);
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < per; i++) values[i] = all[i * C + c]!;
        const v = statistic(values, o);
        out[c] = Number.isFinite(v) && v > 0 ? Math.max(v, CHANNEL_THRESHOLD_FLOOR * layer) : layer;
      }
      o.onLayer?.(l, layers.length, layer);
      return out;
    });
  } finally {
    tf.dispose(batches);
  }
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
  if (o.granularity !== 'layer') throw new Error(`calibrateThresholds gives one threshold per layer; per-channel thresholds come from calibrateChannelThresholds`);
  const fix = positiveOr1;
  try {
    if (o.mode === 'ann') {
      return annInputs(net, batches).map((all, i) => {
        const th = fix(statistic(all, o));
        o.onLayer?.(i, layers, th);
        return th;
      });
    }
    const thresholds: number[] = [];
    const snn = new SnnModel(net, {
      timesteps: o.balanceSteps,
      neuron: { kind: 'if', threshold: 1, reset: 'soft', initialPotential: 0, surrogate: { kind: 'linear', gamma: 0.3 } },
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
