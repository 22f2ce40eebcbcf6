/**
 * What the trainer trains: an ANN or an SNN view of a network, behind one interface so the
 * loop, checkpoints and metrics are shared.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@spikelite/engine';
import { createLoss } from '@spikelite/losses';
import type { Network, SnnModel } from '@spikelite/models';
import type { LossSpec } from '@spikelite/schemas';
import { inputSpikesByStep } from './evaluate.js';

export interface Prediction {
  logits: tf.Tensor;
  /** Spikes per activation layer and step, summed over the batch: [layers, T] (SNN only). */
  spikeCounts: tf.Tensor | null;
  /** Sum of each weight layer's input per step, over the batch: [weightLayers, T] (SNN only). */
  inputCounts?: tf.Tensor | null;
  /** Input spikes per step, over the batch: [T], 0 on analog steps (SNN only; see `inputSpikesByStep`). */
  inputSpikes?: tf.Tensor | null;
  /** Per activation layer, the most spikes one neuron fired for one image of the batch: [layers] (on request). */
  maxSpikes?: tf.Tensor | null;
}

export interface PredictOptions {
  /** Also measure `Prediction.maxSpikes`. */
  maxSpikesPerNeuron?: boolean;
}

export interface TrainTarget {
  readonly kind: 'ann' | 'snn';
  /** Timesteps per image (1 for an ANN). */
  readonly timesteps: number;
  /** Every tensor a checkpoint must hold, by stable name (weights, BN statistics, neuron parameters). */
  state(): Map<string, tf.Variable>;
  /** The subset that the optimizer updates, by the same names. */
  trainable(): Map<string, tf.Variable>;
  /** Neurons per image of each activation layer (spike metrics). */
  neuronsPerLayer(): number[];
  /** Input elements per image of each weight layer (graph.weightLayers order). */
  inputElementsPerLayer?(): number[];
  /** Per timestep, whether layer 1 gets analog values (MACs) rather than spikes (SNN only). */
  analogSteps?(): boolean[];
  lossAndPrediction(images: tf.Tensor, labels: tf.Tensor, rng: Rng): { loss: tf.Scalar; prediction: Prediction };
  predict(images: tf.Tensor, rng: Rng, options?: PredictOptions): Prediction;
  /** After every optimizer step. */
  constrain(): void;
}

function networkState(net: Network): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const p of net.params.list()) out.set(p.name, net.params.get(p.name));
  return out;
}

export function annTarget(net: Network, loss: LossSpec = { kind: 'ce', on: 'final', labelSmoothing: 0 }): TrainTarget {
  const lossFn = createLoss(loss);
  return {
    kind: 'ann',
    timesteps: 1,
    state: () => networkState(net),
    trainable: () => {
      const out = new Map<string, tf.Variable>();
      for (const p of net.params.list()) if (p.trainable) out.set(p.name, net.params.get(p.name));
      return out;
    },
    neuronsPerLayer: () => net.graph.activations.map((a) => a.input.reduce((x, y) => x * y, 1)),
    lossAndPrediction(images, labels, rng) {
      const logits = net.forwardAnn(images, { training: true, rng });
      return { loss: lossFn({ membrane: logits }, labels), prediction: { logits, spikeCounts: null } };
    },
    predict: (images) => ({ logits: net.forwardAnn(images), spikeCounts: null }),
    constrain: () => {},
  };
}

export interface SnnTargetOptions {
  /**
   * θ of the output neurons, for losses that need it (`spikeTimeCe` reads the output spike
   * times as first crossings of this threshold by the membrane trace). A number, or a
   * function read at every training step (e.g. a trainable or scheduled θ).
   */
  outputThreshold?: number | (() => number | tf.Tensor);
}

export function snnTarget(snn: SnnModel, loss: LossSpec, options: SnnTargetOptions = {}): TrainTarget {
  const lossFn = createLoss(loss);
  const { outputThreshold } = options;
  if (lossFn.needs.includes('threshold') && outputThreshold === undefined) {
    throw new Error(`snnTarget: the '${loss.kind}' loss needs the output threshold (options.outputThreshold)`);
  }
  const neuronVars = (): Map<string, tf.Variable> => {
    const out = new Map<string, tf.Variable>();
    snn.neurons.forEach((n, i) => n.variables.forEach((v, j) => out.set(`neurons.${i}.${j}`, v)));
    return out;
  };
  return {
    kind: 'snn',
    timesteps: snn.timesteps,
    state: () => new Map([...networkState(snn.network), ...neuronVars()]),
    trainable: () => {
      const out = new Map<string, tf.Variable>();
      for (const p of snn.network.params.list()) if (p.trainable) out.set(p.name, snn.network.params.get(p.name));
      for (const [k, v] of neuronVars()) if (v.trainable) out.set(k, v);
      return out;
    },
    neuronsPerLayer: () => snn.neuronsPerLayer(),
    inputElementsPerLayer: () => snn.network.graph.weightLayers.map((n) => n.input.reduce((x, y) => x * y, 1)),
    lossAndPrediction(images, labels, rng) {
      const out = snn.forward(images, { training: true, rng, recordMembrane: true });
      const membrane = tf.stack(out.membrane!);
      const threshold = typeof outputThreshold === 'function' ? outputThreshold() : outputThreshold;
      return {
        loss: lossFn(threshold === undefined ? { membrane } : { membrane, threshold }, labels),
        prediction: { logits: out.logits, spikeCounts: out.spikeCounts },
      };
    },
    analogSteps: () => Array.from({ length: snn.timesteps }, (_, t) => snn.encoder.isAnalog(t)),
    predict(images, rng, options = {}) {
      // Per layer, each neuron's spikes summed over the steps (only when asked: one add per layer and step).
      const sums: Array<tf.Tensor | null> | null = options.maxSpikesPerNeuron ? snn.neurons.map(() => null) : null;
      const onSpikes = (layer: number, _t: number, spikes: tf.Tensor): void => {
        const prev = sums![layer] ?? null;
        sums![layer] = tf.keep(prev === null ? tf.clone(spikes) : tf.add(prev, spikes));
        prev?.dispose();
      };
      const out = snn.forward(images, { rng, release: true, countInputs: true, ...(sums ? { onSpikes } : {}) });
      // The encoder still holds this batch's seed: counting now counts the spikes the pass ran on.
      const inputSpikes = inputSpikesByStep(snn.encoder, images);
      const maxSpikes = sums === null ? null : tf.stack(sums.map((s) => (s === null ? tf.scalar(0) : tf.max(s))));
      // The sums were kept out of the step scopes (tf.keep escapes every scope): free them here.
      sums?.forEach((s) => s?.dispose());
      return { logits: out.logits, spikeCounts: out.spikeCounts, inputCounts: out.inputCounts, inputSpikes, maxSpikes };
    },
    constrain: () => snn.constrain(),
  };
}
