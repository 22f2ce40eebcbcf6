import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { createEncoder } from '@spikelite/encoding';
import { Network, SnnModel, presetSpec } from '@spikelite/models';
import { ModelSpec, NeuronSpec, parseWith } from '@spikelite/schemas';

export async function readmeExample() {
  await initEngine({ backend: 'cpu' });
  // A preset: the benchmark CNN, DIET-initialised from a seed, on a batch of 2 images.
  const cnn = Network.create(presetSpec('fmnist-small'), { seed: 0 });
  const cnnShape = tf.tidy(() => cnn.forwardAnn(tf.zeros([2, 28, 28, 1])).shape); // [2, 10]
  cnn.dispose();

  // A spec of your own, 2 inputs → 2 ReLUs → 2 classes, with weights set by name (kernels [in, out]).
  const layers = [{ kind: 'linear', units: 2, useBias: false }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 2, useBias: false }];
  const net = Network.create(parseWith(ModelSpec, { input: { shape: [2] }, layers }, 'spec'));
  net.params.assign('layers.0.kernel', new Float32Array([1, -1, 1, 1])); // h = [x₀ + x₁, x₁ − x₀]
  net.params.assign('layers.2.kernel', new Float32Array([1, -1, 0.5, 2]));
  const x = tf.tensor2d([[0.5, 0.2]]);
  const ann = tf.tidy(() => net.forwardAnn(x).arraySync()); // [[0.7, -0.7]]: relu([0.7, -0.3]) = [0.7, 0]

  // The same weights as an SNN over T = 5 steps: IF neurons (θ = 1, soft reset), x as the input current.
  const snn = new SnnModel(net, {
    timesteps: 5,
    neuron: parseWith(NeuronSpec, { kind: 'if', threshold: 1 }, 'neuron'),
    encoder: createEncoder({ kind: 'direct' }, { timesteps: 5 }),
  });
  const out = snn.forward(x, { release: true });
  // u = 0.7, 1.4 → spike, 1.1 → spike, 0.8, 1.5 → spike; the second ReLU never fires.
  const spikes = out.spikeCounts.arraySync(); // [[0, 1, 1, 0, 1]]: per activation layer and step
  const logits = out.logits.arraySync(); // [[3, -3]] = U(T); U(T)/T = [0.6, -0.6] ≈ the ANN's
  tf.dispose([x, out.logits, out.spikeCounts]);
  snn.dispose();
  net.dispose();
  return { cnnShape, ann, spikes, logits };
}
