import { imageInput } from '@spikelite/schemas';
/**
 * A spike raster of one image: which neurons of each activation layer fire at which step.
 * Large layers are sampled to a fixed number of rows, preferring neurons that fire at all.
 */
import { createRng, shuffleInPlace } from '@spikelite/engine';
import { shapeSize, type SnnModel } from '@spikelite/models';
import * as tf from '@tensorflow/tfjs-core';
import type { ReportBundle } from './bundle.js';

export type RasterRecord = ReportBundle['rasters'][number];

export interface RasterOptions {
  method: string;
  /** Rows per layer at most (default 64). */
  maxNeuronsPerLayer?: number;
  /** Seeds the encoder (rate/Poisson inputs) and the choice among firing neurons (default 0). */
  seed?: number;
}

/**
 * The `k` rows of a layer of `n` neurons, ascending: firing neurons first (a seeded random
 * choice when more than `k` fire), then silent neurons evenly spaced over the layer.
 */
export function sampleNeurons(n: number, firing: readonly number[], k: number, seed: number): number[] {
  const want = Math.min(k, n);
  let chosen: number[];
  if (firing.length >= want) {
    chosen = [...firing];
    shuffleInPlace(chosen, createRng(seed));
    chosen = chosen.slice(0, want);
  } else {
    const fired = new Set(firing);
    const silent: number[] = [];
    for (let i = 0; i < n; i++) if (!fired.has(i)) silent.push(i);
    const need = want - firing.length;
    chosen = [...firing];
    for (let j = 0; j < need; j++) chosen.push(silent[Math.floor((j * silent.length) / need)]!);
  }
  return chosen.sort((a, b) => a - b);
}

/**
 * Run one NHWC image (H·W·C values) through `snn` and record its spikes. Graded spikes (FS
 * neurons) count as an event when > 0; an FS layer runs its K steps inside one forward step,
 * so its events are all at t = 0.
 */
export function recordRaster(snn: SnnModel, image: Float32Array, label: number, options: RasterOptions): RasterRecord {
  const { channels: C, height: H, width: W } = imageInput(snn.network.spec.input, 'this SNN');
  if (image.length !== H * W * C) {
    throw new Error(`recordRaster: image has ${image.length} values but the model takes ${H}×${W}×${C} = ${H * W * C} (NHWC)`);
  }
  const max = options.maxNeuronsPerLayer ?? 64;
  if (!Number.isInteger(max) || max < 1) throw new Error(`recordRaster: maxNeuronsPerLayer must be a positive integer, got ${max}`);
  const seed = options.seed ?? 0;
  const activations = snn.network.graph.activations;
  // Every event of every neuron (t, flat index): the sample is chosen once the run is over.
  const all: Array<Array<[number, number]>> = activations.map(() => []);

  const x = tf.tensor4d(image, [1, H, W, C]);
  let logits: Float32Array;
  try {
    const out = snn.forward(x, {
      release: true,
      rng: createRng(seed),
      onSpikes: (layer, t, spikes) => {
        const v = spikes.dataSync();
        const events = all[layer]!;
        for (let i = 0; i < v.length; i++) if (v[i]! > 0) events.push([t, i]);
      },
    });
    logits = out.logits.dataSync() as Float32Array;
    tf.dispose([out.logits, out.spikeCounts]);
  } finally {
    x.dispose();
  }
  let predicted = 0;
  for (let c = 1; c < logits.length; c++) if (logits[c]! > logits[predicted]!) predicted = c;

  const layers = activations.map((node, li) => {
    const neurons = shapeSize(node.input);
    const events = all[li]!;
    const firing = [...new Set(events.map(([, i]) => i))].sort((a, b) => a - b);
    const indices = sampleNeurons(neurons, firing, max, seed + 1 + li);
    const row = new Map(indices.map((n, r) => [n, r]));
    const kept: Array<[number, number]> = [];
    for (const [t, i] of events) {
      const r = row.get(i);
      if (r !== undefined) kept.push([t, r]);
    }
    kept.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return { layer: node.index, name: node.path, neurons, shown: indices.length, indices, events: kept };
  });
  return {
    method: options.method,
    timesteps: snn.timesteps,
    image: { label, predicted, width: W, height: H, ...(C !== 1 ? { channels: C } : {}), pixels: Array.from(image) },
    layers,
  };
}
