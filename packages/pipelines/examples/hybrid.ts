import { initEngine } from '@spikelite/engine';
import { runMethod } from '@spikelite/pipelines';

// Paths from the repository root: the shipped PyTorch CNN and Fashion-MNIST subset.
await initEngine();
const report = await runMethod({
  method: 'hybrid',
  model: { kind: 'onnx', file: 'tooling/fixtures/onnx/fmnist-cnn-bn.onnx' },
  data: { name: 'apps/cli/data/fashion-mnist-mini', limitTrain: 1000, limitTest: 500 },
  config: { timesteps: 5, epochs: 1 },
  seed: 0,
});
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`accuracy ${pct(report.accuracy)} (ANN ${pct(report.annAccuracy ?? 0)})`);
console.log(`spikes per neuron ${report.spikes.perNeuron.toFixed(3)}`);
console.log(`energy ANN/SNN ${report.energy.ratio.toFixed(2)}x`);
