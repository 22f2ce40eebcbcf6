/**
 * Pieces of the single-spike hybrid method (SPEC §1) that belong to conversion and are
 * shared by the `hybrid` recipe and @spikelite/pipelines' hybrid and general methods: θ_out of the
 * spike-time loss, the output-layer rescale, and the input spikes the encoder emits.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '@spikelite/encoding';
import type { SnnModel } from '@spikelite/models';
import { inputSpikesByStep } from '@spikelite/training';

/** θ_out = this fraction of the median (over calibration images) of the largest output potential U(T). */
export const OUTPUT_THRESHOLD_FRACTION = 0.5;

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length / 2;
  return v.length % 2 === 1 ? v[Math.floor(mid)]! : (v[mid - 1]! + v[mid]!) / 2;
}

/**
 * θ_out, the output threshold whose first crossing by U(t) is an output neuron's spike time:
 * `fraction` × the median over `images` of max_c U_c(T) of the SNN as it starts fine-tuning.
 * Tied to the network's own output scale so the winning output crosses inside the window
 * (about half way) and the others later or never: the time term then ranks classes and has a
 * gradient. A constant would mean nothing across models and inits (a converted net's logits
 * are O(10), a random one's O(0.1)). Falls back to 1 when the SNN is silent.
 */
export function deriveOutputThreshold(snn: SnnModel, images: tf.Tensor4D, fraction = OUTPUT_THRESHOLD_FRACTION, batchSize = 256): number {
  const maxes: number[] = [];
  const n = images.shape[0];
  for (let i = 0; i < n; i += batchSize) {
    const b = Math.min(batchSize, n - i);
    const m = tf.tidy(() => {
      const x = tf.slice(images, [i, 0, 0, 0], [b, -1, -1, -1]);
      return tf.max(snn.forward(x, { release: true }).logits, -1).dataSync() as Float32Array;
    });
    maxes.push(...m);
  }
  const theta = fraction * median(maxes);
  return Number.isFinite(theta) && theta > 0 ? theta : 1;
}

/**
 * Put the output layer on the ANN's logit scale when hidden spikes are 0/1 but the ANN's
 * activations were O(θ): the output kernel (not its bias) × θ of the last hidden layer, the
 * weight normalisation of ANN→SNN conversion for the one layer with no threshold of its own.
 * For SNNs balanced without weight normalisation (DIET's 'snn' calibration). Returns the
 * factor, or null when the output layer is not one weight layer fed by the last activation
 * with one θ (nothing is changed then).
 */
export function scaleOutputLayer(snn: SnnModel): number | null {
  const { graph, params } = snn.network;
  const last = graph.weightLayers[graph.weightLayers.length - 1];
  const lastHidden = snn.neurons[graph.activations.length - 1];
  if (last === undefined || lastHidden === undefined || lastHidden.mode !== 'step') return null;
  if (last.source.kind !== 'activation' || last.source.index !== graph.activations.length - 1) return null;
  const theta = lastHidden.getParameter('threshold');
  if (theta.length !== 1 || !(theta[0]! > 0)) return null;
  const factor = theta[0]!;
  const kernel = params.get(last.kernel);
  tf.tidy(() => kernel.assign(tf.mul(kernel, factor)));
  return factor;
}

/**
 * Spikes per input element per image that `encoder` emits on its spike (non-analog) steps,
 * measured on `images` with @spikelite/training's `inputSpikesByStep` (the counter `evaluate`
 * uses; stochastic encoders with batch seed 0). RunReports count the input spikes of the
 * evaluated images themselves (`evaluate(...).input`); this is the estimate `convert` keeps in
 * `info.input` from the calibration images.
 */
export function measureInputSpikes(encoder: Encoder, images: tf.Tensor4D, batchSize = 500): number {
  let total = 0;
  const n = images.shape[0];
  for (let i = 0; i < n; i += batchSize) {
    const b = Math.min(batchSize, n - i);
    if (encoder.stochastic) encoder.beginBatch(0);
    total += tf.tidy(() => tf.sum(inputSpikesByStep(encoder, tf.slice(images, [i, 0, 0, 0], [b, -1, -1, -1]))).dataSync()[0]!);
  }
  return total / images.size;
}
