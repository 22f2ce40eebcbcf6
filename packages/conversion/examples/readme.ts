import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '@spikelite/data';
import { initEngine } from '@spikelite/engine';
import { Network, presetSpec } from '@spikelite/models';
import { TrainConfig, parseWith } from '@spikelite/schemas';
import { annTarget, train } from '@spikelite/training';
import { convert, measureConversion, sweep } from '@spikelite/conversion';

export async function readmeExample() {
  await initEngine();
  const data = await loadDataset('fashion-mnist', { limitTrain: 1000, limitTest: 500 });
  // net: any trained Network (the CLI imports one: networkFromImport(importOnnx(file))); here a quick ANN.
  const spec = presetSpec('fmnist-small');
  const net = Network.create(spec, { seed: 0 });
  const config = parseWith(TrainConfig, { method: 'ann', timesteps: 1, epochs: 2, batchSize: 32 }, 'config');
  const ann = await train({ target: annTarget(net), train: data.train, test: data.test, config, describe: { spec, method: 'ann' } });

  // calib: NHWC images (SPEC: 512 training images; 256 here).
  const calib = tf.tensor4d(data.train.images.subarray(0, 256 * 28 * 28), [256, 28, 28, 1]);
  const r = await convert(net, { kind: 'threshold', timesteps: 8 }, { calibrationImages: calib, log: console.error });
  console.log(r.info.layers, r.info.notes);   // per layer: activation, neuron, threshold, note
  const m = measureConversion(r, data.test);  // accuracy, spikes/neuron, energy (computeEnergy)
  const layers = r.info.layers;
  r.dispose();
  const rows = await sweep(net, { kind: 'fs' }, [4, 10], { calibrationImages: calib, test: data.test });
  calib.dispose();
  net.dispose();
  return { annAccuracy: ann.final.accuracy, layers, threshold: m, fs: rows };
}
