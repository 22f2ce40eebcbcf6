import { initEngine } from '@spikelite/engine';
import { loadDataset } from '@spikelite/data';
import { Network, presetSpec } from '@spikelite/models';
import { TrainConfig, parseWith } from '@spikelite/schemas';
import { annTarget, train } from '@spikelite/training';

// A short ANN run on 1,000 Fashion-MNIST images; checkpoints go to runDir.
export async function readmeExample(runDir: string) {
  await initEngine();
  const data = await loadDataset('fashion-mnist', { limitTrain: 1000, limitTest: 500 });
  const spec = presetSpec('fmnist-small');
  const net = Network.create(spec, { seed: 0 });
  const config = parseWith(TrainConfig, { method: 'ann', timesteps: 1, epochs: 2, batchSize: 32 }, 'config');
  const result = await train({
    target: annTarget(net), train: data.train, test: data.test, config,
    describe: { spec, method: 'ann' }, runDir,
    onEvent: (e) => e.type === 'epoch' && console.log(e.metrics),
  });
  console.log('test accuracy', result.final.accuracy);
  net.dispose();
  return result;
}
