import { initEngine } from '@spikelite/engine';
import { planSweep, runSweep } from '@spikelite/pipelines';

// Threshold and few-spike conversion of the shipped CNN at T (K) = 4 and 8, two seeds.
await initEngine();
const cells = await planSweep({
  models: ['tooling/fixtures/onnx/fmnist-cnn-bn.onnx'],
  methods: ['threshold', 'fs'],
  timesteps: [4, 8],
  seeds: [0, 1],
  data: { name: 'apps/cli/data/fashion-mnist-mini', limitTest: 500 },
});
for (const o of await runSweep(cells)) {
  const pct = o.status === 'done' ? `${(o.report.accuracy * 100).toFixed(1)}%` : o.status;
  console.log(`${o.cell.label}: ${pct}`);
}
