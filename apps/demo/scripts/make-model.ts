/**
 * Makes the demo's committed model asset (Node only; the page never imports pipelines, onnx or
 * data): one method run of @spikelite/pipelines — by default `hybrid` on
 * tooling/fixtures/onnx/fmnist-cnn-bn.onnx and the shipped training subset (calibration on 512
 * shuffled images, single-spike LIF neurons, hybrid input, one fine-tune epoch, seed 0), the
 * same run as the `hybrid` row of `spikelite compare` — → public/model.json,
 * public/model.weights.bin, public/samples.json (20 test images), with the run's accuracy,
 * spikes and energy on the 1,000 shipped test images. The asset is then reloaded through
 * src/model.ts: it must predict exactly what the trained SNN predicts on all 1,000 images, and
 * `evaluate` of the reloaded model must give the run's own numbers.
 *
 *   pnpm --filter @spikelite/demo make-model [--method hybrid|threshold] [--timesteps T] [--scale X] [--epochs N] [--seed S]
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { FASHION_MNIST_CLASS_NAMES, type ImageSet } from '@spikelite/data';
import { initEngine } from '@spikelite/engine';
import { parseMethodRun, runKey, runMethod, type FinishedRun, type MethodRunInput } from '@spikelite/pipelines';
import type { NeuronSpec, RunReport } from '@spikelite/schemas';
import { evaluate, snnTarget } from '@spikelite/training';
import { argmax, buildSnn, decodePixels, encodePixels, MODEL_FORMAT, parseDemoModel, traceImage, type DemoModel, type Sample, type WeightEntry } from '../src/model.js';

// dist/node/scripts/make-model.js → apps/demo
const demoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const root = join(demoDir, '..', '..');
const ONNX = join(root, 'tooling', 'fixtures', 'onnx', 'fmnist-cnn-bn.onnx');
const DATA = join(root, 'apps', 'cli', 'data', 'fashion-mnist-mini');
const OUT = join(demoDir, 'public');
const SAMPLES = 20;

/** Top-1 predictions of a model on a whole set, in batches (read back per batch). */
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

interface ConversionInfo {
  recipe: Record<string, unknown>;
  layers: Array<{ layer: string; activation: string; neuron: string; threshold: number | null }>;
  notes: string[];
  input: { analogSteps: number; inputSpikesPerElement: number };
  gradedSpikes: boolean;
  timesteps: number;
}

/** The asset of a finished run: the trained SNN's weights and neurons (thresholds as trained), samples, provenance. */
async function makeAsset(r: FinishedRun, run: MethodRunInput, info: ConversionInfo, backend: string): Promise<{ model: DemoModel; bin: Float32Array; samples: Sample[] }> {
  const snn = r.snn!;
  const test = r.data.test;
  // Neuron specs with the trained thresholds (the hybrid fine-tune trains θ; λ stays 1).
  const neurons: NeuronSpec[] = snn.neurons.map((n) => {
    if (n.spec.kind !== 'singleSpikeLif' || n.mode !== 'step') return n.spec;
    const [theta] = n.getParameter('threshold');
    const [leak] = n.getParameter('leak');
    if (leak !== 1) throw new Error(`${n.name}: leak ${leak}, expected the fixed 1`);
    return { ...n.spec, threshold: theta! };
  });
  const snnPred = predictAll((x) => snn.forward(x, { release: true }).logits, test);
  // Weights: every parameter of the (weight-normalised) network, float32 little-endian, in graph order.
  const weights: WeightEntry[] = [];
  const snapshot = r.network.params.snapshot();
  let offset = 0;
  for (const p of r.network.params.list()) {
    weights.push({ name: p.name, shape: [...p.shape], offset });
    offset += snapshot.get(p.name)!.length;
  }
  const bin = new Float32Array(offset);
  for (const w of weights) bin.set(snapshot.get(w.name)!, w.offset);
  const thresholdOf = (spec: NeuronSpec): number | null => ('threshold' in spec && typeof spec.threshold === 'number' ? spec.threshold : null);
  const report: RunReport = r.report;
  const parsed = parseMethodRun(run);
  const c = parsed.config as Record<string, unknown>;
  const portable = { ...parsed, model: { kind: 'onnx' as const, file: relative(root, ONNX) }, data: { ...parsed.data, name: relative(root, DATA) } };
  const model: DemoModel = {
    format: MODEL_FORMAT,
    version: 1,
    spec: r.network.spec,
    timesteps: snn.timesteps,
    encoding: snn.encoder.spec,
    neurons,
    layers: info.layers.map((l, i) => ({ layer: l.layer, activation: l.activation, neuron: l.neuron, threshold: thresholdOf(neurons[i]!) ?? l.threshold, neurons: snn.neuronsPerLayer()[i]! })),
    // inputSpikesPerElement: measured on the test images by the run; the page counts each image's own.
    energyInput: { analogSteps: info.input.analogSteps, inputSpikesPerElement: report.energy.perLayer[0]!.snnAcs / report.energy.perLayer[0]!.annMacs },
    gradedSpikes: info.gradedSpikes,
    classNames: [...FASHION_MNIST_CLASS_NAMES],
    weightsFile: 'model.weights.bin',
    weights,
    provenance: {
      onnx: relative(root, ONNX),
      recipe: info.recipe,
      calibration: `${String(c['calib'])} shuffled images (seed ${parsed.seed + 1}) of ${relative(root, DATA)} train, ${c['calibration'] === 'snn' ? "DIET's balancing on the SNN" : 'ANN statistics + weight normalisation'}`,
      ...('epochs' in c ? { finetune: `${String(c['epochs'])} epoch(s) on the ${r.data.train.count.toLocaleString('en')} images of ${relative(root, DATA)} train, batch ${String(c['batch'])}, seed ${parsed.seed}; thresholds before it: ${info.layers.map((l) => l.threshold?.toPrecision(4)).join(', ')}` } : {}),
      notes: info.notes,
      // The run, with paths from the repository root: its key is the same on every machine.
      run: portable,
      runKey: runKey(portable),
      backend,
      script: 'apps/demo/scripts/make-model.ts',
    },
    evaluation: { images: test.count, accuracy: report.accuracy, annAccuracy: report.annAccuracy ?? 0, spikesPerNeuron: report.spikes.perNeuron, energyRatio: report.energy.ratio },
  };

  // Round trip: the asset, rebuilt as the page builds it, must agree with the trained SNN on every image,
  // and the one run measurement (`evaluate`) of the rebuilt model must give the run's report.
  const loaded = buildSnn(parseDemoModel(JSON.parse(JSON.stringify(model))), bin.slice());
  const again = predictAll((x) => loaded.snn.forward(x, { release: true }).logits, test);
  const mismatches = again.reduce((a, p, i) => a + (p === snnPred[i] ? 0 : 1), 0);
  if (mismatches > 0) throw new Error(`the reloaded asset disagrees with the trained SNN on ${mismatches} of ${test.count} images`);
  const ev = evaluate(snnTarget(loaded.snn, { kind: 'ce', on: 'final', labelSmoothing: 0 }), test);
  if (ev.accuracy !== report.accuracy || Math.abs(ev.spikesPerNeuron! - report.spikes.perNeuron) > 1e-9) {
    throw new Error(`the reloaded asset measures ${ev.accuracy} / ${ev.spikesPerNeuron} spikes per neuron, the run ${report.accuracy} / ${report.spikes.perNeuron}`);
  }

  // Samples: the first two test images of every class, in test-set order.
  const size = test.height * test.width * test.channels;
  const picked: number[] = [];
  const perClass = new Map<number, number>();
  for (let i = 0; i < test.count && picked.length < SAMPLES; i++) {
    const y = test.labels[i]!;
    if ((perClass.get(y) ?? 0) >= SAMPLES / 10) continue;
    perClass.set(y, (perClass.get(y) ?? 0) + 1);
    picked.push(i);
  }
  const samples: Sample[] = picked.map((i) => ({
    index: i,
    label: test.labels[i]!,
    pixels: encodePixels(Uint8Array.from(test.images.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 255))),
    snnPrediction: snnPred[i]!,
  }));
  // And the single-image trace the page runs gives the same class as the batched run.
  for (const s of samples) {
    const tr = await traceImage(loaded, decodePixels(s.pixels));
    if (tr.prediction !== s.snnPrediction) throw new Error(`sample ${s.index}: traced prediction ${tr.prediction} ≠ batched ${s.snnPrediction}`);
    if (argmax(tr.membrane[tr.timesteps - 1]!) !== tr.prediction) throw new Error('trace: prediction is not argmax U(T)');
  }
  loaded.dispose();
  return { model, bin, samples };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { method: { type: 'string', default: 'hybrid' }, timesteps: { type: 'string' }, scale: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string', default: '0' } },
  });
  // Only the options given: the method's own defaults (the registry's) fill in the rest.
  const config: Record<string, number> = {};
  for (const k of ['timesteps', 'scale', 'epochs'] as const) if (values[k] !== undefined) config[k] = Number(values[k]);
  const run: MethodRunInput = { method: values.method as MethodRunInput['method'], model: { kind: 'onnx', file: ONNX }, data: { name: DATA }, config, seed: Number(values.seed) };
  parseMethodRun(run); // bad values fail here, naming the field
  const engine = await initEngine({ backend: 'wasm' });
  const t0 = performance.now();
  const out = await mkdtemp(join(tmpdir(), 'spikelite-demo-model-'));
  let asset: Awaited<ReturnType<typeof makeAsset>> | undefined;
  let lastLog = 0;
  const report = await runMethod(run, {
    out,
    onEvent: (e) => {
      if (e.type === 'log') console.error(e.message);
      else if (e.type === 'train' && e.event.type === 'batch' && (e.event.batch === e.event.batches || performance.now() - lastLog > 30_000)) {
        lastLog = performance.now();
        console.error(`${e.stage} epoch ${e.event.epoch}/${e.event.epochs} batch ${e.event.batch}/${e.event.batches} loss ${e.event.loss.toFixed(4)} acc ${(e.event.accuracy * 100).toFixed(1)} %`);
      }
    },
    onModel: async (r) => {
      if (r.snn === null) throw new Error(`the ${run.method} method gives no SNN`);
      const info = JSON.parse(await readFile(join(out, 'conversion.json'), 'utf8')) as ConversionInfo;
      asset = await makeAsset(r, run, info, engine.backend);
    },
  });
  const { model, bin, samples } = asset!;
  console.error(
    `${run.method} ${JSON.stringify(config)} seed ${String(run.seed)}: SNN ${(report.accuracy * 100).toFixed(2)} % (ANN ${((report.annAccuracy ?? 0) * 100).toFixed(2)} %) on ${report.dataset.testSize} images, ` +
      `${report.spikes.perNeuron.toFixed(3)} spikes/neuron, energy ANN/SNN ${report.energy.ratio.toFixed(3)}×; thresholds ${model.layers.map((l) => l.threshold?.toPrecision(4)).join(', ')}`,
  );
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, 'model.json'), `${JSON.stringify(model, null, 1)}\n`);
  await writeFile(join(OUT, model.weightsFile), new Uint8Array(bin.buffer));
  await writeFile(join(OUT, 'samples.json'), `${JSON.stringify(samples, null, 1)}\n`);
  console.error(`wrote ${relative(root, OUT)}/{model.json, ${model.weightsFile} (${bin.byteLength} bytes), samples.json}; round trip ok; ${Math.round(performance.now() - t0)} ms`);
}

main().catch((e: unknown) => {
  console.error(`make-model: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
