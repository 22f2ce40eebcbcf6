#!/usr/bin/env node
/**
 * The measurements behind the diet and hybrid defaults (README "Defaults and the measurements
 * behind them"): each variant is one method run on the shipped Fashion-MNIST subset
 * (apps/cli/data/fashion-mnist-mini: 6,000 train / 1,000 test), seed 0 unless named, from
 * the shipped ONNX CNN and from the fmnist-small preset (its ANN trained once, 3 epochs, and
 * shared by every preset run through `resume`). One JSON line per run on stdout.
 *
 *   pnpm --filter @spikelite/pipelines build && node packages/pipelines/scripts/measure-defaults.mjs [FILTER…]
 *
 * A FILTER keeps the variants whose tag (`model method {config} seed S`, as printed on stderr) contains it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine } from '@spikelite/engine';
import { runMethod, createResources } from '@spikelite/pipelines';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ONNX = join(root, 'tooling/fixtures/onnx/fmnist-cnn-bn.onnx');
const data = { name: join(root, 'apps/cli/data/fashion-mnist-mini') };
const filters = process.argv.slice(2);
const selected = (tag) => filters.length === 0 || filters.some((f) => tag.includes(f));

const engine = await initEngine();
const resources = createResources();
const annDir = mkdtempSync(join(tmpdir(), 'spikelite-defaults-ann-'));

const variants = [];
for (const model of ['onnx', 'preset']) {
  for (const [calibration, scale, amsgrad, seed] of [['ann', 0.2, true, 0], ['ann', 0.2, true, 1], ['ann', 0.7, true, 0], ['snn', 0.2, true, 0], ['snn', 0.7, true, 0], ['snn', 0.7, false, 0], ['ann', 0.2, false, 0]]) {
    variants.push({ model, method: 'diet', config: { calibration, scale, amsgrad }, seed });
  }
  for (const [calibration, amsgrad, seed] of [['ann', true, 0], ['ann', true, 1], ['snn', true, 0], ['snn', false, 0], ['ann', false, 0]]) {
    variants.push({ model, method: 'hybrid', config: { calibration, amsgrad }, seed });
  }
}

const modelRef = (m) => (m === 'onnx' ? { kind: 'onnx', file: ONNX } : { kind: 'preset', name: 'fmnist-small' });
const quiet = { onEvent: (e) => e.type === 'log' && /θ_out|ANN test|fine-tuning/.test(e.message) && process.stderr.write(`  ${e.message}\n`) };

const tagOf = (v) => `${v.model} ${v.method} ${JSON.stringify(v.config)} seed ${v.seed}`;
// The preset's ANN, trained once (3 epochs, the ANN stage's default) and resumed by every preset run.
if (variants.some((v) => v.model === 'preset' && selected(tagOf(v)))) {
  const ann = await runMethod({ method: 'ann', model: modelRef('preset'), data, config: { epochs: 3 } }, { ...quiet, resources, out: annDir });
  process.stdout.write(`${JSON.stringify({ model: 'preset', method: 'ann', config: { epochs: 3 }, seed: 0, accuracy: ann.accuracy, backend: engine.backend })}\n`);
}

for (const v of variants) {
  const tag = tagOf(v);
  if (!selected(tag)) continue;
  process.stderr.write(`${tag}\n`);
  const r = await runMethod(
    { method: v.method, model: modelRef(v.model), data, config: v.config, seed: v.seed },
    { ...quiet, resources, ...(v.model === 'preset' ? { resume: annDir } : {}) },
  );
  process.stdout.write(`${JSON.stringify({ ...v, accuracy: r.accuracy, annAccuracy: r.annAccuracy, spikesPerNeuron: +r.spikes.perNeuron.toFixed(4), energyRatio: +r.energy.ratio.toFixed(3), wallS: Math.round(r.wallMs / 1000) })}\n`);
}
