import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { createEncoder } from '@spikelite/encoding';
import { Network, SnnModel, compileSnn } from '@spikelite/models';
import { ModelSpec, NeuronSpec, parseWith } from '@spikelite/schemas';

export async function runtimeExample() {
  await initEngine({ backend: 'cpu' });
  // The small net above: 2 inputs → 2 IF neurons (θ = 1, soft reset) → 2 classes, T = 5, direct input.
  const layers = [{ kind: 'linear', units: 2, useBias: false }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 2, useBias: false }];
  const net = Network.create(parseWith(ModelSpec, { input: { shape: [2] }, layers }, 'spec'));
  net.params.assign('layers.0.kernel', new Float32Array([1, -1, 1, 1])); // h = [x₀ + x₁, x₁ − x₀]
  net.params.assign('layers.2.kernel', new Float32Array([1, -1, 0.5, 2]));
  const snn = new SnnModel(net, {
    timesteps: 5,
    neuron: parseWith(NeuronSpec, { kind: 'if', threshold: 1 }, 'neuron'),
    encoder: createEncoder({ kind: 'direct' }, { timesteps: 5 }),
  });

  // Compile once: weights and thresholds are read into typed arrays; run() makes no tensors.
  const runtime = compileSnn(snn);
  const images = new Float32Array([0.5, 0.2, 0.25, 0.5]); // two images, back to back
  const out = runtime.run(images, 2); // 'auto': event-driven where the input is sparse
  const dense = runtime.run(images, 2, { mode: 'dense' });

  // The same images through SnnModel.forward: the same spikes and logits.
  const x = tf.tensor2d(images, [2, 2]);
  const ref = snn.forward(x, { release: true });
  const same = Array.from(ref.spikeCounts.dataSync()).join() === Array.from(out.spikeCounts).join() && Array.from(ref.logits.dataSync()).join() === Array.from(out.logits).join();
  tf.dispose([x, ref.logits, ref.spikeCounts]);
  snn.dispose();
  net.dispose();
  return {
    // Image 1: h = [0.7, −0.3], spikes at t = 1, 2, 4; image 2: h = [0.75, 0.25], spikes at t = 1, 2, 4 and t = 4.
    spikeCounts: Array.from(out.spikeCounts), // [0, 2, 2, 0, 3]: the activation layer per step, summed over images
    logits: Array.from(out.logits), // [3, −3, 3.5, −1]: U(T) = 3·[1, −1] and 3·[1, −1] + 1·[0.5, 2]
    denseLogits: Array.from(dense.logits), // the same, every layer dense
    same, // true
  };
}
