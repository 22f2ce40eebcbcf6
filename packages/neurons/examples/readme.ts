import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { createNeuronLayer, runSteps, type StepNeuronLayer } from '@spikelite/neurons';

export async function readmeExample() {
  await initEngine({ backend: 'wasm' });
  // A DIET LIF layer: λ = 0.9, θ = 1 (both trainable), soft reset, current order, linear surrogate.
  const lif = createNeuronLayer(
    { kind: 'lif', leak: 0.9, threshold: 1 },
    { name: 'lif1', channels: 3, timesteps: 5 },
  ) as StepNeuronLayer;
  // Input currents for T = 5 steps, a batch of 1, 3 neurons: [T, N, 3].
  const x = tf.tensor3d([0.6, 1.2, 0.2, 0.6, 0.1, 0.2, 0.6, 1.5, 0.2, 0.6, 0, 0.2, 0.6, 0, 0.2], [5, 1, 3]);
  const { spikes, finalState } = runSteps(lif, x);
  const trains = tf.tidy(() => tf.reshape(spikes, [5, 3]).arraySync()); // [[0,1,0],[1,0,0],[0,1,0],[1,0,0],[0,0,0]]
  const u = Array.from(finalState['u']!.dataSync()); // [0.8280601, 0.6091201, 0.81902]
  const names = lif.variables.map((v) => v.name); // ['n2:lif1/leak', 'n1:lif1/threshold'] (nK: keeps equal names apart)
  tf.dispose([x, spikes, ...Object.values(finalState)]);
  lif.dispose();
  return { trains, u, names };
}
