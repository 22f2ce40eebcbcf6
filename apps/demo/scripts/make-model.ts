/**
 * Makes the demo's committed model asset (Node only; the page never imports onnx, data or
 * conversion): tooling/fixtures/onnx/fmnist-cnn-bn.onnx → importOnnx → threshold conversion
 * (calibration on 512 shuffled images of the shipped training subset) → public/model.json,
 * public/model.weights.bin, public/samples.json (20 test images), with the SNN's accuracy on
 * the 1,000 shipped test images. The asset is then reloaded through src/model.ts and must
 * predict exactly what the converted SNN predicts on all 1,000 images.
 *
 *   pnpm --filter @spikelite/demo make-model [--timesteps T] [--scale X]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { convert, measureConversion } from '@spikelite/conversion';
import { epochOrder, FASHION_MNIST_CLASS_NAMES, loadDataset, subset, takeFirst, type ImageSet } from '@spikelite/data';
import { createRng, initEngine } from '@spikelite/engine';
import { importOnnx, networkFromImport } from '@spikelite/onnx';
import { argmax, buildSnn, encodePixels, MODEL_FORMAT, parseDemoModel, traceImage, type DemoModel, type Sample, type WeightEntry } from '../src/model.js';

// dist/node/scripts/make-model.js → apps/demo
const demoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const root = join(demoDir, '..', '..');
const ONNX = join(root, 'tooling', 'fixtures', 'onnx', 'fmnist-cnn-bn.onnx');
const DATA = join(root, 'apps', 'cli', 'data', 'fashion-mnist-mini');
const OUT = join(demoDir, 'public');
const CALIB = 512;
const SAMPLES = 20;

/** Top-1 predictions of `snn` on a whole set, in batches (read back per batch). */
function predictAll(run: (x: tf.Tensor4D) => tf.Tensor, set: ImageSet, bs = 250): Int32Array {
  const out = new Int32Array(set.count);
  const size = set.height * set.width * set.channels;
  for (let i = 0; i < set.count; i += bs) {
    const n = Math.min(bs, set.count - i);
    const p = tf.tidy(() => tf.argMax(run(tf.tensor4d(set.images.subarray(i * size, (i + n) * size), [n, set.height, set.width, set.channels])), 1));
    out.set(p.dataSync() as Int32Array, i);
    p.dispose();
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { timesteps: { type: 'string', default: '8' }, scale: { type: 'string', default: '0.7' } } });
  const T = Number(values.timesteps);
  const scale = Number(values.scale);
  if (!Number.isInteger(T) || T < 1) throw new Error(`--timesteps: expected a positive integer, got '${values.timesteps}'`);
  if (!(scale > 0)) throw new Error(`--scale: expected a positive number, got '${values.scale}'`);
  const engine = await initEngine({ backend: 'wasm' });
  const t0 = performance.now();
  const data = await loadDataset(DATA);
  const imported = importOnnx(ONNX);
  const net = networkFromImport(imported);
  const calibSet = takeFirst(subset(data.train, Array.from(epochOrder(data.train.count, createRng(1)))), CALIB);
  const calib = tf.tensor4d(calibSet.images, [calibSet.count, calibSet.height, calibSet.width, calibSet.channels]);
  const recipe = { kind: 'threshold', timesteps: T, scale, calibration: { images: CALIB, statistic: 'percentile', percentile: 99.7 } } as const;
  const result = await convert(net, recipe, { calibrationImages: calib, log: (m) => console.error(m) });
  calib.dispose();

  const m = measureConversion(result, data.test);
  const annPred = predictAll((x) => net.forwardAnn(x), data.test);
  const snnPred = predictAll((x) => result.snn.forward(x, { release: true }).logits, data.test);
  const annAccuracy = annPred.reduce((a, p, i) => a + (p === data.test.labels[i] ? 1 : 0), 0) / data.test.count;
  console.error(`T=${T} scale=${scale}: SNN ${(m.accuracy * 100).toFixed(2)} % (ANN ${(annAccuracy * 100).toFixed(2)} %) on ${data.test.count} images, ${m.spikesPerNeuron.toFixed(3)} spikes/neuron, energy ANN/SNN ${m.energy.ratio.toFixed(2)}×`);

  // Weights: every parameter of the (weight-normalised) network, float32 little-endian, in graph order.
  const weights: WeightEntry[] = [];
  const snapshot = result.network.params.snapshot();
  let offset = 0;
  for (const info of result.network.params.list()) {
    weights.push({ name: info.name, shape: [...info.shape], offset });
    offset += snapshot.get(info.name)!.length;
  }
  const bin = new Float32Array(offset);
  for (const w of weights) bin.set(snapshot.get(w.name)!, w.offset);

  const model: DemoModel = {
    format: MODEL_FORMAT,
    version: 1,
    spec: result.network.spec,
    timesteps: result.info.timesteps,
    encoding: { kind: 'direct' },
    neurons: result.snn.neurons.map((n) => n.spec),
    layers: result.info.layers.map((l, i) => ({ ...l, neurons: result.snn.neuronsPerLayer()[i]! })),
    energyInput: result.info.input,
    gradedSpikes: result.info.gradedSpikes,
    classNames: [...FASHION_MNIST_CLASS_NAMES],
    weightsFile: 'model.weights.bin',
    weights,
    provenance: {
      onnx: relative(root, ONNX),
      recipe: result.info.recipe,
      calibration: `${CALIB} shuffled images (seed 1) of ${relative(root, DATA)} train, ANN statistics + weight normalisation`,
      notes: result.info.notes,
      backend: engine.backend,
      script: 'apps/demo/scripts/make-model.ts',
    },
    evaluation: { images: data.test.count, accuracy: m.accuracy, annAccuracy, spikesPerNeuron: m.spikesPerNeuron, energyRatio: m.energy.ratio },
  };

  // Samples: the first two test images of every class, in test-set order.
  const size = data.test.height * data.test.width * data.test.channels;
  const picked: number[] = [];
  const perClass = new Map<number, number>();
  for (let i = 0; i < data.test.count && picked.length < SAMPLES; i++) {
    const y = data.test.labels[i]!;
    if ((perClass.get(y) ?? 0) >= SAMPLES / 10) continue;
    perClass.set(y, (perClass.get(y) ?? 0) + 1);
    picked.push(i);
  }
  const samples: Sample[] = picked.map((i) => ({
    index: i,
    label: data.test.labels[i]!,
    pixels: encodePixels(Uint8Array.from(data.test.images.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 255))),
    snnPrediction: snnPred[i]!,
  }));

  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'model.json'), `${JSON.stringify(model, null, 1)}\n`);
  await writeFile(join(OUT, model.weightsFile), new Uint8Array(bin.buffer));
  await writeFile(join(OUT, 'samples.json'), `${JSON.stringify(samples, null, 1)}\n`);

  // Round trip: the written asset, rebuilt as the page builds it, must agree on every image.
  const loaded = buildSnn(parseDemoModel(JSON.parse(JSON.stringify(model))), bin.slice());
  const again = predictAll((x) => loaded.snn.forward(x, { release: true }).logits, data.test);
  const mismatches = again.reduce((a, p, i) => a + (p === snnPred[i] ? 0 : 1), 0);
  if (mismatches > 0) throw new Error(`the reloaded asset disagrees with the converted SNN on ${mismatches} of ${data.test.count} images`);
  // And the single-image trace the page runs gives the same class as the batched run.
  for (const s of samples) {
    const px = Uint8Array.from(data.test.images.subarray(s.index * size, (s.index + 1) * size), (v) => Math.round(v * 255));
    const tr = await traceImage(loaded, px);
    if (tr.prediction !== s.snnPrediction) throw new Error(`sample ${s.index}: traced prediction ${tr.prediction} ≠ batched ${s.snnPrediction}`);
    if (argmax(tr.membrane[tr.timesteps - 1]!) !== tr.prediction) throw new Error('trace: prediction is not argmax U(T)');
  }
  loaded.dispose();
  result.dispose();
  net.dispose();
  console.error(`wrote ${relative(root, OUT)}/{model.json, ${model.weightsFile} (${bin.byteLength} bytes), samples.json}; round trip ok; ${Math.round(performance.now() - t0)} ms`);
}

main().catch((e: unknown) => {
  console.error(`make-model: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
