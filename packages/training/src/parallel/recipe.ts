/**
 * A training target described as plain data, so that a worker thread can build the same
 * target (data-parallel training): the model spec, the SNN's neurons and encoding, the loss.
 * Weights are not part of it: they are sent as values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, type ChannelNormalization } from '@spikelite/encoding';
import { createRng } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import type { EncodingSpec, LossSpec, ModelSpec, NeuronSpec } from '@spikelite/schemas';
import { annTarget, snnTarget, type TrainTarget } from '../target.js';

export type TargetRecipe =
  | {
      kind: 'snn';
      spec: ModelSpec;
      timesteps: number;
      /** One neuron spec per activation layer (graph order), or one for all. */
      neurons: NeuronSpec | NeuronSpec[];
      encoding: EncodingSpec;
      normalization?: ChannelNormalization;
      loss: LossSpec;
      /** θ of the output neurons for losses that need it (a number: recipes are data). */
      outputThreshold?: number;
    }
  | { kind: 'ann'; spec: ModelSpec; loss: LossSpec };

export interface BuiltTarget {
  target: TrainTarget;
  /** Logits of a batch without gradients (inference: the SNN frees each step's tensors as it goes). */
  logits(images: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/** Build the target a recipe describes, with freshly initialised weights (seed 0). */
export function buildTarget(recipe: TargetRecipe): BuiltTarget {
  const net = Network.create(recipe.spec, { seed: 0 });
  if (recipe.kind === 'ann') return { target: annTarget(net, recipe.loss), logits: (x) => net.forwardAnn(x), dispose: () => net.dispose() };
  const { neurons } = recipe;
  const snn = new SnnModel(net, {
    timesteps: recipe.timesteps,
    neuron: Array.isArray(neurons)
      ? (node) => {
          const n = neurons[node.index];
          if (n === undefined) throw new Error(`recipe.neurons has ${neurons.length} entries, activation ${node.index} (${node.path}) has none`);
          return n;
        }
      : neurons,
    // Stochastic encoders draw each batch's seed from the forward pass's Rng; this one is a fallback.
    encoder: createEncoder(recipe.encoding, {
      timesteps: recipe.timesteps,
      rng: createRng(0),
      ...(recipe.normalization ? { normalization: recipe.normalization } : {}),
    }),
  });
  const target = snnTarget(snn, recipe.loss, recipe.outputThreshold === undefined ? {} : { outputThreshold: recipe.outputThreshold });
  return {
    target,
    logits: (x) => {
      const r = snn.forward(x, { release: true });
      tf.dispose([r.spikeCounts, ...(r.membrane ?? [])]);
      return r.logits;
    },
    dispose: () => {
      snn.dispose();
      net.dispose();
    },
  };
}
