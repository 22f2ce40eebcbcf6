/**
 * `evaluate`: the one measurement of a run on a set of images. Accuracy, spikes per neuron
 * (total and per layer), the spikes that reach each weight layer, how layer 1 was fed (the
 * analog steps, and the input spikes counted on the very spikes this evaluation ran on) and,
 * on request, the most spikes any one neuron fired for one image. Every RunReport, the CLI's
 * `eval`/`energy`, the demo's model builder and the trainer's epoch metrics read it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchAt, batchCount, type ImageSet } from '@spikelite/data';
import { createRng } from '@spikelite/engine';
import type { TrainTarget } from './target.js';

/** How layer 1 was fed, measured (the `input` of @spikelite/energy's EnergyInput). */
export interface InputMeasurement {
  /** Timesteps whose input is analog (MACs in layer 1). */
  analogSteps: number;
  /** Input spikes (non-zero encoded values on the other steps) per input element per image. */
  inputSpikesPerElement: number;
  /** The same, per timestep (0 on analog steps). */
  spikesPerElementByStep: number[];
}

export interface EvalResult {
  accuracy: number;
  images: number;
  /** Spikes per hidden neuron per image, over all timesteps (null for an ANN). */
  spikesPerNeuron: number | null;
  perLayer: Array<{ neurons: number; spikesPerNeuron: number }> | null;
  /**
   * Per weight layer (graph.weightLayers order): the sum of its input per input element per
   * image over all timesteps — for binary spikes, the spikes that reach it (SNN only).
   */
  inputEventsPerElement?: number[] | null;
  /** How layer 1 was fed, counted on these images (SNN only). */
  input?: InputMeasurement | null;
  /**
   * Per activation layer, the most spikes one neuron fired for one image (SNN, with
   * `maxSpikesPerNeuron`): the check that single-spike neurons never fire twice.
   */
  maxSpikesPerNeuron?: number[] | null;
}

export interface EvaluateOptions {
  batchSize?: number;
  /** Seed of the evaluation's Rng (stochastic encoders); default fixed, so evaluations repeat. */
  seed?: number;
  /** Also measure the most spikes one neuron fired for one image, per layer (one add per layer and step). */
  maxSpikesPerNeuron?: boolean;
  /** Called after every batch with the images done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Images `index`-th batch of `order` as tensors (the caller disposes them). */
export function toTensors(set: ImageSet, order: Int32Array, index: number, size: number): { x: tf.Tensor4D; y: tf.Tensor1D; n: number } {
  const b = batchAt(set, order, index, size);
  return {
    x: tf.tensor4d(b.images, [b.size, set.height, set.width, set.channels]),
    y: tf.tensor1d(b.labels, 'int32'),
    n: b.size,
  };
}

export function correct(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'int32'));
}

interface BatchOut {
  [k: string]: tf.Tensor | undefined;
  hits: tf.Scalar;
  spikes: tf.Tensor | undefined;
  inputs: tf.Tensor | undefined;
  inputSpikes: tf.Tensor | undefined;
  maxSpikes: tf.Tensor | undefined;
}

/** Sums of per-batch vectors, read back after every batch. */
class Totals {
  values: Float64Array | null = null;
  add(t: tf.Tensor | undefined): void {
    if (t === undefined) return;
    const v = t.dataSync();
    this.values ??= new Float64Array(v.length);
    v.forEach((x, i) => (this.values![i]! += x));
  }
}

/** Accuracy and spike statistics of the target on `set` (deterministic: a fixed eval Rng). */
export function evaluate(target: TrainTarget, set: ImageSet, options: EvaluateOptions = {}): EvalResult {
  const bs = options.batchSize ?? 256;
  const order = Int32Array.from({ length: set.count }, (_, i) => i);
  const rng = createRng(options.seed ?? 0x5eed);
  const neurons = target.neuronsPerLayer();
  const elements = target.inputElementsPerLayer?.() ?? [];
  const spikes = new Totals();
  const inputs = new Totals();
  const inputSpikes = new Totals();
  let worst: number[] | null = null;
  let hits = 0;
  let done = 0;
  for (let b = 0; b < batchCount(set.count, bs, false); b++) {
    const { x, y, n } = toTensors(set, order, b, bs);
    const out = tf.tidy((): BatchOut => {
      const p = target.predict(x, rng, { maxSpikesPerNeuron: options.maxSpikesPerNeuron === true });
      return {
        hits: correct(p.logits, y),
        spikes: p.spikeCounts === null ? undefined : tf.sum(p.spikeCounts, 1),
        inputs: p.inputCounts?.shape[0] === elements.length ? tf.sum(p.inputCounts, 1) : undefined,
        inputSpikes: p.inputSpikes ?? undefined,
        maxSpikes: p.maxSpikes ?? undefined,
      };
    });
    hits += out.hits.dataSync()[0]!;
    spikes.add(out.spikes);
    inputs.add(out.inputs);
    inputSpikes.add(out.inputSpikes);
    if (out.maxSpikes !== undefined) {
      const m = Array.from(out.maxSpikes.dataSync());
      worst = worst === null ? m : worst.map((w, i) => Math.max(w, m[i]!));
    }
    tf.dispose([x, y, ...Object.values(out).filter((t): t is tf.Tensor => t !== undefined)]);
    done += n;
    options.onProgress?.(done, set.count);
  }
  const layerSpikes = spikes.values;
  const perLayer = layerSpikes === null ? null : neurons.map((k, i) => ({ neurons: k, spikesPerNeuron: layerSpikes[i]! / (k * set.count) }));
  const totalNeurons = neurons.reduce((a, k) => a + k, 0);
  const spikesPerNeuron = layerSpikes !== null && totalNeurons > 0 ? layerSpikes.reduce((a, v) => a + v, 0) / (totalNeurons * set.count) : null;
  const inputEventsPerElement = inputs.values === null ? null : elements.map((k, i) => inputs.values![i]! / (k * set.count));
  const analog = target.analogSteps?.() ?? null;
  let input: InputMeasurement | null = null;
  if (analog !== null) {
    const perImage = set.height * set.width * set.channels;
    const byStep = analog.map((_, t) => (inputSpikes.values?.[t] ?? 0) / Math.max(1, set.count * perImage));
    input = { analogSteps: analog.filter(Boolean).length, inputSpikesPerElement: byStep.reduce((a, v) => a + v, 0), spikesPerElementByStep: byStep };
  }
  return {
    accuracy: hits / set.count, images: set.count, spikesPerNeuron, perLayer, inputEventsPerElement, input,
    ...(options.maxSpikesPerNeuron ? { maxSpikesPerNeuron: worst } : {}),
  };
}

/**
 * Input spikes `encoder` emits for `images` at each of its non-analog steps (non-zero values:
 * a signed rate code's −1 counts too), as one [T] tensor, 0 on analog steps. The encoder's
 * current batch seed is used: called after a forward pass, it counts that pass's spikes.
 */
export function inputSpikesByStep(encoder: { timesteps: number; isAnalog(t: number): boolean; encode(x: tf.Tensor, t: number): tf.Tensor }, images: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() =>
    tf.stack(Array.from({ length: encoder.timesteps }, (_, t) => (encoder.isAnalog(t) ? tf.scalar(0) : tf.sum(tf.cast(tf.notEqual(encoder.encode(images, t), 0), 'float32'))))) as tf.Tensor1D,
  );
}
