import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine } from '@spikelite/engine';
import { createLoss, firstSpikeTimes, membraneCe } from '@spikelite/losses';

export async function readmeExample() {
  await initEngine({ backend: 'cpu' });
  return tf.tidy(() => {
    // Output membrane trace [T = 4, N = 1, C = 2]; entry t is U(t + 1).
    const membrane = tf.tensor3d([0.4, 0.1, 0.8, 0.2, 1.3, 0.3, 2.0, 0.9], [4, 1, 2]);
    const labels = tf.tensor1d([0], 'int32');

    const ce = membraneCe(membrane, labels, { on: 'final' }).arraySync(); // 0.2873: CE of logits U(T) = [2.0, 0.9]

    const { times } = firstSpikeTimes(membrane, 1);
    const spikeTimes = Array.from(times.dataSync()); // [2.4, 5]: class 0 crosses θ = 1 at 2 + 0.2/0.5; class 1 never (T + 1)

    const loss = createLoss({ kind: 'spikeTimeCe' }); // membraneWeight 1, timeWeight 1
    const value = loss({ membrane, threshold: 1 }, labels).arraySync(); // 0.3590: CE(U(T)) + CE(−[2.4, 5])
    const grad = tf.grad((u) => loss({ membrane: u, threshold: 1 }, labels))(membrane);
    console.log(loss.needs, grad.shape); // [ 'membrane', 'threshold', 'labels' ] [ 4, 1, 2 ]

    const fit = createLoss({ kind: 'fsFit' }, { rng: createRng(0) }); // c ~ U(0.08, 0.12) per call
    const f = tf.tensor1d([0, 1, 2]);
    const fitLoss = fit({ fit: { f, fhat: tf.tensor1d([0, 1, 1.5]), vs: tf.tensor2d([[0.5, 1.5, -0.2]]) } }).arraySync();
    // 0.0865 = mean((f − f̂)²) + c·mean(max(|v| − 1, 0))² = 0.25/3 + c·(0.5/3)², c ≈ 0.1155
    return { ce, spikeTimes, value, grad: grad.arraySync(), fitLoss };
  });
}
