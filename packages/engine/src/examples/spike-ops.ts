/**
 * The README's example: a convolution of a sparse spike map through the engine's spike op,
 * the same result as tf.conv2d, and the path the engine chose.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, resetSpikeKernelStats, spikeConv2d, spikeKernelStats } from '../index.js';

export async function spikeOpsExample(): Promise<{ maxDiff: number; path: string; density: number }> {
  await initEngine({ backend: 'wasm' });
  // 2 images of 16×16 with 8 channels, 5 % of the entries spiking.
  const spikes = tf.tidy(() => tf.cast(tf.less(tf.randomUniform([2, 16, 16, 8], 0, 1, 'float32', 1), 0.05), 'float32')) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 8, 32], 0, 0.1, 'float32', 2) as tf.Tensor4D;
  resetSpikeKernelStats();
  const y = spikeConv2d(spikes, w, 1, 'same'); // event-driven below the measured density cut
  const s = spikeKernelStats().forward;
  const ref = tf.conv2d(spikes, w, 1, 'same');
  const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0]!);
  tf.dispose([spikes, w, y, ref]);
  return { maxDiff, path: s.sparse > 0 ? 'event-driven' : 'dense', density: s.events / s.elements };
}
