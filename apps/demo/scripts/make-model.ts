/**
 * Makes the demo's committed model asset (Node only; the page never imports onnx, data or
 * conversion): tooling/fixtures/onnx/fmnist-cnn-bn.onnx → importOnnx → conversion with the
 * `hybrid` recipe (default: thresholds from 512 shuffled images of the shipped training
 * subset, single-spike LIF neurons, hybrid input, then a fine-tune on the 6,000 shipped
 * training images, seed fixed) or the `threshold` recipe (IF neurons, direct input) →
 * public/model.json, public/model.weights.bin, public/samples.json (20 test images), with the
 * SNN's accuracy, spikes and energy on the 1,000 shipped test images. The asset is then
 * reloaded through src/model.ts and must predict exactly what the converted SNN predicts on
 * all 1,000 images.
 *
 *   pnpm --filter @spikelite/demo make-model [--method hybrid|threshold] [--timesteps T] [--scale X] [--epochs N] [--seed S]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { convert, measureConversion } from '@spikelite/conversion';
import { HYBRID_THRESHOLD_SCALE, type ConversionRecipeInput, type NeuronSpec } from '@spikelite/schemas';
import { epochOrder, FASHION_MNIST_CLASS_NAMES, loadDataset, subset, takeFirst, type ImageSet } from '@spikelite/data';
import { createRng, initEngine } from '@spikelite/engine';
import { importOnnx, networkFromImport } from '@spikelite/onnx';
import { argmax, buildSnn, countInputSpikes, decodePixels, encodePixels, energyOfTrace, MODEL_FORMAT, parseDemoModel, traceImage, type DemoModel, type LoadedSnn, type Sample, type WeightEntry } from '../src/model.js';

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

/** The asset's evaluation on a whole set, as the page accounts one image (src/model.ts), averaged. */
function evaluateSet(loaded: LoadedSnn, set: ImageSet, bs = 250): { accuracy: number; spikesPerNeuron: number; energyRatio: number; inputSpikesPerImage: number } {
  const T = loaded.model.timesteps;
  const size = set.height * set.width * set.channels;
  const counts = loaded.model.layers.map(() => new Array<number>(T).fill(0));
  const inputCounts = new Array<number>(loaded.net.graph.weightLayers.length).fill(0);
  let inputSpikes = 0;
  let hits = 0;
  for (let i = 0; i < set.count; i += bs) {
    const n = Math.min(bs, set.count - i);
    const [pred, c, inp] = tf.tidy(() => {
      const r = loaded.snn.forward(tf.tensor4d(set.images.subarray(i * size, (i + n) * size), [n, set.height, set.width, set.channels]), { release: true, countInputs: true });
      return [tf.argMax(r.logits, 1), r.spikeCounts, tf.sum(r.inputCounts!, 1)];
    });
    Array.from(pred.dataSync() as Int32Array).forEach((p, k) => (hits += p === set.labels[i + k] ? 1 : 0));
    Array.from(c.dataSync() as Float32Array).forEach((v, j) => (counts[Math.floor(j / T)]![j % T]! += v / set.count));
    Array.from(inp.dataSync() as Float32Array).forEach((v, w) => (inputCounts[w]! += v / set.count));
    tf.dispose([pred, c, inp]);
  }
  for (let i = 0; i < set.count; i++) inputSpikes += countInputSpikes(loaded.model, set.images.subarray(i * size, (i + 1) * size)) / set.count;
  const neurons = loaded.model.layers.reduce((a, l) => a + l.neurons, 0);
  return {
    accuracy: hits / set.count,
    spikesPerNeuron: counts.flat().reduce((a, v) => a + v, 0) / neurons,
    energyRatio: energyOfTrace(loaded, { counts, inputCounts, inputSpikes }).energy.ratio,
    inputSpikesPerImage: inputSpikes,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      method: { type: 'string', default: 'hybrid' },
      timesteps: { type: 'string' },
      scale: { type: 'string' },
      epochs: { type: 'string', default: '1' },
      seed: { type: 'string', default: '0' },
    },
  });
  const method = values.method;
  if (method !== 'hybrid' && method !== 'threshold') throw new Error(`--method: expected hybrid or threshold, got '${method}'`);
  const T = Number(values.timesteps ?? (method === 'hybrid' ? 5 : 8));
  const scale = Number(values.scale ?? (method === 'hybrid' ? HYBRID_THRESHOLD_SCALE : 0.7));
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  if (!Number.isInteger(T) || T < 1) throw new Error(`--timesteps: expected a positive integer, got '${values.timesteps}'`);
  if (!(scale > 0)) throw new Error(`--scale: expected a positive number, got '${values.scale}'`);
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`--epochs: expected a non-negative integer, got '${values.epochs}'`);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected a non-negative integer, got '${values.seed}'`);
  const engine = await initEngine({ backend: 'wasm' });
  const t0 = performance.now();
  const data = await loadDataset(DATA);
  const imported = importOnnx(ONNX);
  const net = networkFromImport(imported);
  const calibSet = takeFirst(subset(data.train, Array.from(epochOrder(data.train.count, createRng(1)))), CALIB);
  const calib = tf.tensor4d(calibSet.images, [calibSet.count, calibSet.height, calibSet.width, calibSet.channels]);
  const calibration = { images: CALIB, statistic: 'percentile', percentile: 99.7 } as const;
  const recipe: ConversionRecipeInput =
    method === 'hybrid'
      ? { kind: 'hybrid', timesteps: T, scale, calibration, finetuneEpochs: epochs }
      : { kind: 'threshold', timesteps: T, scale, calibration };
  let lastLog = 0;
  const result = await convert(net, recipe, {
    calibrationImages: calib,
    log: (m) => console.error(m),
    ...(method === 'hybrid'
      ? {
          finetune: {
            train: data.train, test: data.test, batchSize: 64, seed,
            onEvent: (e) => {
              if (e.type === 'batch' && (e.batch === e.batches || performance.now() - lastLog > 30_000)) {
                lastLog = performance.now();
                console.error(`fine-tune epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} acc ${(e.accuracy * 100).toFixed(1)} %`);
              }
            },
          },
        }
      : {}),
  });
  calib.dispose();

  // Neuron specs with the trained thresholds (the hybrid fine-tune trains θ; λ stays 1).
  const neurons: NeuronSpec[] = result.snn.neurons.map((n) => {
    if (n.spec.kind !== 'singleSpikeLif' || n.mode !== 'step') return n.spec;
    const [theta] = n.getParameter('threshold');
    const [leak] = n.getParameter('leak');
    if (leak !== 1) throw new Error(`${n.name}: leak ${leak}, expected the fixed 1`);
    return { ...n.spec, threshold: theta! };
  });
  const snnPred = predictAll((x) => result.snn.forward(x, { release: true }).logits, data.test);
  const annPred = predictAll((x) => net.forwardAnn(x), data.test);
  const annAccuracy = annPred.reduce((a, p, i) => a + (p === data.test.labels[i] ? 1 : 0), 0) / data.test.count;

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

  const thresholdOf = (spec: NeuronSpec): number | null => ('threshold' in spec && typeof spec.threshold === 'number' ? spec.threshold : null);
  const model: DemoModel = {
    format: MODEL_FORMAT,
    version: 1,
    spec: result.network.spec,
    timesteps: result.info.timesteps,
    encoding: result.snn.encoder.spec,
    neurons,
    layers: result.info.layers.map((l, i) => ({ layer: l.layer, activation: l.activation, neuron: l.neuron, threshold: thresholdOf(neurons[i]!) ?? l.threshold, neurons: result.snn.neuronsPerLayer()[i]! })),
    // inputSpikesPerElement: measured on the calibration images; the page counts each image's own.
    energyInput: result.info.input,
    gradedSpikes: result.info.gradedSpikes,
    classNames: [...FASHION_MNIST_CLASS_NAMES],
    weightsFile: 'model.weights.bin',
    weights,
    provenance: {
      onnx: relative(root, ONNX),
      recipe: result.info.recipe,
      calibration: `${CALIB} shuffled images (seed 1) of ${relative(root, DATA)} train, ANN statistics + weight normalisation`,
      ...(method === 'hybrid' ? { finetune: `${epochs} epoch(s) on the ${data.train.count.toLocaleString('en')} images of ${relative(root, DATA)} train, batch 64, seed ${seed}; thresholds before it: ${result.info.layers.map((l) => l.threshold?.toPrecision(4)).join(', ')}` } : {}),
      notes: result.info.notes,
      backend: engine.backend,
      script: 'apps/demo/scripts/make-model.ts',
    },
    evaluation: { images: 0, accuracy: 0, annAccuracy, spikesPerNeuron: 0, energyRatio: 0 },
  };

  // Round trip: the asset, rebuilt as the page builds it, must agree with the converted SNN on every image.
  const loaded = buildSnn(parseDemoModel(JSON.parse(JSON.stringify(model))), bin.slice());
  const again = predictAll((x) => loaded.snn.forward(x, { release: true }).logits, data.test);
  const mismatches = again.reduce((a, p, i) => a + (p === snnPred[i] ? 0 : 1), 0);
  if (mismatches > 0) throw new Error(`the reloaded asset disagrees with the converted SNN on ${mismatches} of ${data.test.count} images`);
  const ev = evaluateSet(loaded, data.test);
  const accuracy = snnPred.reduce((a, p, i) => a + (p === data.test.labels[i] ? 1 : 0), 0) / data.test.count;
  if (ev.accuracy !== accuracy) throw new Error(`evaluation: ${ev.accuracy} ≠ ${accuracy}`);
  model.evaluation = { images: data.test.count, accuracy, annAccuracy, spikesPerNeuron: ev.spikesPerNeuron, energyRatio: ev.energyRatio };
  const m = measureConversion(result, data.test, { evaluated: result.info.finetune });
  console.error(
    `${method} T=${T} scale=${scale}${method === 'hybrid' ? ` epochs=${epochs} seed=${seed}` : ''}: SNN ${(accuracy * 100).toFixed(2)} % (ANN ${(annAccuracy * 100).toFixed(2)} %) on ${data.test.count} images, ` +
      `${ev.spikesPerNeuron.toFixed(3)} spikes/neuron, ${ev.inputSpikesPerImage.toFixed(1)} input spikes/image, energy ANN/SNN ${ev.energyRatio.toFixed(3)}× ` +
      `(measureConversion: ${(m.accuracy * 100).toFixed(2)} %, ${m.energy.ratio.toFixed(3)}×, input spikes from the calibration images); thresholds ${model.layers.map((l) => l.threshold?.toPrecision(4)).join(', ')}`,
  );

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

  // And the single-image trace the page runs gives the same class as the batched run.
  for (const s of samples) {
    const tr = await traceImage(loaded, decodePixels(s.pixels));
    if (tr.prediction !== s.snnPrediction) throw new Error(`sample ${s.index}: traced prediction ${tr.prediction} ≠ batched ${s.snnPrediction}`);
    if (argmax(tr.membrane[tr.timesteps - 1]!) !== tr.prediction) throw new Error('trace: prediction is not argmax U(T)');
    const sent = tr.inputByStep.reduce((a, v, t) => a + (loaded.snn.encoder.isAnalog(t) ? 0 : v), 0);
    if (sent !== tr.inputSpikes) throw new Error(`sample ${s.index}: ${tr.inputSpikes} input spikes counted from the image, the encoder sent ${sent}`);
  }
  loaded.dispose();

  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'model.json'), `${JSON.stringify(model, null, 1)}\n`);
  await writeFile(join(OUT, model.weightsFile), new Uint8Array(bin.buffer));
  await writeFile(join(OUT, 'samples.json'), `${JSON.stringify(samples, null, 1)}\n`);
  result.dispose();
  net.dispose();
  console.error(`wrote ${relative(root, OUT)}/{model.json, ${model.weightsFile} (${bin.byteLength} bytes), samples.json}; round trip ok; ${Math.round(performance.now() - t0)} ms`);
}

main().catch((e: unknown) => {
  console.error(`make-model: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
