/**
 * The model-zoo runner: every ONNX file of a zoo directory (tooling/zoo/export_zoo.py writes
 * them with a manifest.json) is imported, checked against onnxruntime on two images, and — with
 * --convert — converted with the fs and threshold recipes on 16 calibration images, the SNN
 * compared with the ANN on those images (the zoo's weights are random: agreement with the ANN,
 * not accuracy). Prints a Markdown table; --readme writes it into packages/onnx/README.md.
 *
 *     cd packages/onnx && npx tsx --conditions source scripts/zoo.ts ../../tooling/zoo/fixtures --convert --readme
 *     cd packages/onnx && npx tsx --conditions source scripts/zoo.ts /work/models/zoo-matrix
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { convert } from '@spikelite/conversion';
import { computeEnergy } from '@spikelite/energy';
import { ENERGY_PROFILES } from '@spikelite/schemas';
import { initEngine } from '@spikelite/engine';
import { compileGraph } from '@spikelite/models';
import { checkParity, importOnnx, networkFromImport } from '../src/index.js';

interface Entry {
  file?: string;
  family?: string;
  input: [number, number, number];
  opset: number;
  constantFolding: boolean;
  dynamicHW?: boolean;
}

const dir = process.argv[2] ?? '../../tooling/zoo/fixtures';
const doConvert = process.argv.includes('--convert');
const readme = process.argv.includes('--readme');
await initEngine({ backend: 'wasm' });
const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')) as Record<string, Entry>;

const images = (n: number, [c, h, w]: readonly number[], seed: number): Float32Array =>
  Float32Array.from({ length: n * c! * h! * w! }, (_, i) => 0.5 + 0.5 * Math.sin((i + seed * 7919) * 12.9898 + 78.233));

const rows: string[] = [];
let pass = 0;
for (const [key, e] of Object.entries(manifest)) {
  const file = `${dir}/${e.file ?? key}`;
  const options = e.dynamicHW ? { inputShape: e.input } : {};
  const t0 = performance.now();
  let row = `| ${e.family ?? key} | ${e.opset} | ${e.constantFolding ? 'yes' : 'no'} |`;
  try {
    const imported = importOnnx(file, options);
    const importMs = performance.now() - t0;
    const p = await checkParity(file, { data: images(2, e.input, 1), shape: [2, ...e.input] }, { imported, ...options });
    const ok = p.relativeDiff <= 1e-4 && p.top1Agreement === 1;
    if (ok) pass++;
    const kinds = new Set(imported.spec.layers.map((l) => (l.kind === 'activation' ? l.fn : l.kind)));
    row += ` ${imported.spec.layers.length} | ${p.relativeDiff.toExponential(1)} ${ok ? '✓' : '✗'} | ${(importMs / 1000).toFixed(1)} s |`;
    if (doConvert) {
      const net = networkFromImport(imported);
      const [c, h, w] = e.input;
      const x = tf.tidy(() => tf.transpose(tf.tensor4d(images(16, e.input, 2), [16, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D);
      const annTop = tf.tidy(() => net.forwardAnn(x).argMax(-1).dataSync());
      for (const recipe of [{ kind: 'fs' as const }, { kind: 'threshold' as const, timesteps: 16 }]) {
        const c0 = performance.now();
        try {
          const r = await convert(net, recipe, { calibrationImages: x });
          const out = r.snn.forward(x, { release: true, countInputs: true });
          const top = out.logits.argMax(-1).dataSync();
          const agree = Array.from(top).filter((v, i) => v === annTop[i]).length / 16;
          const counts = out.spikeCounts.sum(1).dataSync();
          const neurons = r.snn.neuronsPerLayer();
          const perNeuron = Array.from(counts, (s, i) => s / 16 / neurons[i]!);
          const events = out.inputCounts!.sum(1).dataSync();
          const graph = compileGraph(r.network.spec);
          const energy = computeEnergy({
            graph, profile: ENERGY_PROFILES['cmos45nm-fp32']!, spikesPerNeuron: perNeuron, input: r.info.input, gradedSpikes: r.info.gradedSpikes,
            timesteps: r.info.timesteps, inputEventsPerElement: graph.weightLayers.map((wl, i) => events[i]! / 16 / wl.input.reduce((a, b) => a * b, 1)),
          });
          const total = perNeuron.reduce((a, z, i) => a + z * neurons[i]!, 0) / neurons.reduce((a, b) => a + b, 0);
          row += ` ${Math.round(agree * 100)} % · ${total.toFixed(2)} · ${energy.ratio.toFixed(2)}× · ${((performance.now() - c0) / 1000).toFixed(0)} s |`;
          tf.dispose([out.logits, out.spikeCounts, out.inputCounts!]);
          r.dispose();
        } catch (err) {
          const m = (err as Error).message.match(/\(([a-zA-Z0-9]+)\): the \w+ recipe maps only/);
          row += ` ${m ? `refused: ${m[1]} (use fs)` : `error: ${(err as Error).message.slice(0, 80)}`} |`;
        }
      }
      x.dispose();
      net.dispose();
    }
    row += ` ${[...kinds].filter((k) => !['flatten', 'dropout'].includes(k)).sort().join(', ')} |`;
  } catch (err) {
    row += ` import failed: ${(err as Error).message.slice(0, 200)} |`;
  }
  rows.push(row);
  console.error(row);
}
const head = doConvert
  ? '| model | opset | folding | layers | parity (rel. diff) | import | fs: top-1 = ANN · spikes/neuron · energy ANN/SNN · time | threshold T=16: same | layer kinds |\n|---|---|---|---|---|---|---|---|---|'
  : '| model | opset | folding | layers | parity (rel. diff) | import | layer kinds |\n|---|---|---|---|---|---|---|';
const table = `${head}\n${rows.join('\n')}\n\n${pass}/${rows.length} import with parity (≤ 1e-4 of the output range, same top-1 on both images).`;
console.log(table);
if (readme) {
  const path = new URL('../README.md', import.meta.url);
  const text = readFileSync(path, 'utf8');
  const begin = '<!-- zoo:begin -->';
  const end = '<!-- zoo:end -->';
  if (!text.includes(begin)) throw new Error('README has no zoo markers');
  writeFileSync(path, text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${table}\n${end}`));
}
