import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@spikelite/engine';
import { Network, presetSpec } from '@spikelite/models';
import { calibrateThresholds } from '@spikelite/conversion';

export async function calibrateExample() {
  await initEngine();
  const net = Network.create(presetSpec('fmnist-small'), { seed: 0 });
  const images = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 42) as tf.Tensor4D;
  const thresholds = calibrateThresholds(net, images, { mode: 'snn', balanceSteps: 20 });
  console.log(thresholds); // one raw threshold per activation layer: 3 for fmnist-small
  images.dispose();
  net.dispose();
  return thresholds;
}
