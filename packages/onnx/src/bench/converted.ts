/**
 * Inference of converted SNNs, event-driven against dense (shared/bench/BENCH.md "Inference
 * of converted SNNs"): the shipped fmnist-cnn-bn.onnx, imported and converted without
 * fine-tuning (calibration: 512 training images of the shipped Fashion-MNIST subset, seed 0),
 * run on the subset's 1,000 test images:
 *  - `fmnist-cnn-hybrid-infer`: the hybrid recipe (single-spike LIF, hybrid input), T = 5;
 *  - `fmnist-cnn-general-infer`: general neurons on the ANN's weights with balanced thresholds
 *    (× 0.5, as `train --method general --init ann`), T = 1, no training.
 * Figures: SNN images/s at batch 256 with the engine's default (event-driven where sparse)
 * and with every layer dense, batch-1 latency (median over 100 images) of both, the same for
 * the ANN in onnxruntime-node with one intra-op thread, spikes per neuron, and the accuracy
 * of both SNN paths (which must agree).
 *
 * Beside the tfjs paths, the event-driven runtime (@spikelite/models `compileSnn`: typed-array
 * kernels, no tfjs dispatch) on the same SNN: images/s (in batches of `batch`) and batch-1
 * latency with kernels chosen by density and forced dense, its predictions against the tfjs
 * path's (mismatches must be 0), and the ratios that issue 16 asks for: event-driven over the
 * best dense path (tfjs-wasm, XNNPACK) and over the runtime's own dense kernels. A workload whose
 * neurons the runtime does not run (general) reports `runtime: null` and the reason.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { calibrateThresholds, convert, scaleOutputLayer } from '@spikelite/conversion';
import { epochOrder, loadDataset, subset, takeFirst, type ImageSet } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { createRng, resetSpikeKernelStats, setSpikeKernelMode, spikeKernelMode, spikeKernelStats } from '@spikelite/engine';
import { compileSnn, RuntimeUnsupportedError, SnnModel, type Network, type RuntimeMode, type SnnRuntime } from '@spikelite/models';
import { NeuronSpec, parseWith } from '@spikelite/schemas';
import { importOnnx } from '../import.js';
import { networkFromImport, withoutFinalSoftmax } from '../parity.js';

export const CONVERTED_WORKLOADS = ['fmnist-cnn-hybrid-infer', 'fmnist-cnn-general-infer'] as const;
export type ConvertedWorkload = (typeof CONVERTED_WORKLOADS)[number];

const repo = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

export interface ConvertedInferOptions {
  /** Default: the repository's tooling/fixtures/onnx/fmnist-cnn-bn.onnx. */
  onnxFile?: string;
  /** Default: the shipped subset, apps/cli/data/fashion-mnist-mini. */
  dataDir?: string;
  /** Batch of the throughput figures (BENCH.md: 256). */
  batch?: number;
  /** Single images timed for the batch-1 latency (BENCH.md: 100). */
  latencyImages?: number;
  /** Timed repetitions of the full test set at `batch` (after one warm-up pass). */
  repeat?: number;
  /** Test images (BENCH.md: the subset's 1,000; fewer for a quick check). */
  testImages?: number;
  progress?: (message: string) => void;
}

export interface ConvertedInferResult {
  workload: ConvertedWorkload;
  engine: string;
  threads: 1;
  timesteps: number;
  batch: number;
  snn_images_per_s: number;
  snn_dense_images_per_s: number;
  /** Images/s from the process's CPU time over the same timed passes (single-threaded: robust to other load). */
  snn_cpu_images_per_s: number;
  snn_dense_cpu_images_per_s: number;
  snn_latency_ms_b1: number;
  snn_dense_latency_ms_b1: number;
  ann_ort_images_per_s: number;
  ann_ort_latency_ms_b1: number;
  spikes_per_neuron: number;
  /** Mean non-zero fraction of the inputs of the spike-fed layers, measured by the engine. */
  spike_input_density: number | null;
  accuracy: number;
  accuracy_dense: number;
  ann_accuracy: number;
  /** Test images whose predicted class differs between the event-driven and the dense path. */
  prediction_mismatches: number;
  /** The event-driven runtime on the same SNN, or null when it does not run this SNN (`runtime_note` says why). */
  runtime: RuntimeFigures | null;
  runtime_note: string | null;
  load_average: number;
}

export interface RuntimeFigures {
  /** Kernels chosen by density ('auto'), in batches of `batch`. */
  images_per_s: number;
  /** Every conv/linear layer dense (the runtime's own dense kernels). */
  dense_images_per_s: number;
  latency_ms_b1: number;
  dense_latency_ms_b1: number;
  /** The conv/linear kernels ran as WebAssembly SIMD. */
  simd: boolean;
  accuracy: number;
  /** Test images whose predicted class differs from the tfjs event-driven path's (auto, dense runtime). */
  prediction_mismatches: number;
  dense_prediction_mismatches: number;
  /** Mean non-zero fraction of the conv/linear inputs (spike-fed and analog). */
  input_density: number;
  /** Event-driven images/s over the best dense path (tfjs-wasm dense, XNNPACK), and over the runtime's own dense kernels. */
  speedup_vs_tfjs_dense: number;
  /** The same ratio from CPU time (both paths single-threaded): what a quiet machine would show. */
  speedup_vs_tfjs_dense_cpu: number;
  /** Images/s from CPU time, event-driven and dense. */
  cpu_images_per_s: number;
  dense_cpu_images_per_s: number;
  speedup_vs_own_dense: number;
  /** Event-driven images/s over the tfjs event-driven path; latency over the tfjs path's. */
  speedup_vs_tfjs: number;
  latency_vs_tfjs: number;
}

function nchw(set: ImageSet, from: number, n: number): Float32Array {
  const { height: h, width: w, channels: c } = set;
  const out = new Float32Array(n * c * h * w);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((i * c + k) * h + y) * w + x] = set.images[(((from + i) * h + y) * w + x) * c + k]!;
  return out;
}

function nhwc(set: ImageSet, from: number, n: number): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  return tf.tensor4d(set.images.subarray(from * size, (from + n) * size), [n, set.height, set.width, set.channels]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface SnnRun {
  imagesPerS: number;
  /** The same from the process's CPU time (the runs are single-threaded): robust to other load on the machine. */
  cpuImagesPerS: number;
  latencyMs: number;
  predictions: Int32Array;
  spikesPerNeuron: number;
  density: number | null;
}

/** Throughput over the test set at `batch`, batch-1 latency, predictions, spikes per neuron. */
function runSnn(snn: SnnModel, test: ImageSet, o: { batch: number; latencyImages: number; repeat: number }): SnnRun {
  const predictions = new Int32Array(test.count);
  let spikes = 0;
  const pass = (record: boolean) => {
    for (let i = 0; i < test.count; i += o.batch) {
      const n = Math.min(o.batch, test.count - i);
      const x = nhwc(test, i, n);
      const r = snn.forward(x, { release: true });
      const pred = tf.tidy(() => tf.argMax(r.logits, -1));
      const p = pred.dataSync();
      if (record) {
        predictions.set(p, i);
        spikes += tf.tidy(() => tf.sum(r.spikeCounts)).dataSync()[0]!;
      }
      tf.dispose([x, r.logits, r.spikeCounts, pred]);
    }
  };
  pass(true); // warm-up, and the predictions
  resetSpikeKernelStats();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < o.repeat; k++) pass(false);
  const ms = (performance.now() - t0) / o.repeat;
  const cpuMs = cpuMsSince(c0) / o.repeat;
  const s = spikeKernelStats().forward;
  const lat: number[] = [];
  const warmUp = 10; // single images first: batch 1 runs other code paths than batch 256 (JIT)
  for (let i = 0; i < o.latencyImages + warmUp; i++) {
    const x = nhwc(test, i % test.count, 1);
    const t = performance.now();
    const r = snn.forward(x, { release: true });
    r.logits.dataSync();
    if (i >= warmUp) lat.push(performance.now() - t);
    tf.dispose([x, r.logits, r.spikeCounts]);
  }
  const neurons = snn.neuronsPerLayer().reduce((a, b) => a + b, 0);
  return {
    imagesPerS: (test.count / ms) * 1000,
    cpuImagesPerS: (test.count / cpuMs) * 1000,
    latencyMs: median(lat),
    predictions,
    spikesPerNeuron: spikes / (neurons * test.count),
    density: s.elements > 0 ? s.events / s.elements : null,
  };
}

interface RuntimeRun {
  imagesPerS: number;
  cpuImagesPerS: number;
  latencyMs: number;
  predictions: Int32Array;
  density: number;
}

/** The runtime over the test set in batches of `batch` (one warm-up pass, then `repeat`), then batch-1 latency. */
function runRuntime(rt: SnnRuntime, test: ImageSet, mode: RuntimeMode, o: { batch: number; latencyImages: number; repeat: number }): RuntimeRun {
  const size = rt.inputSize;
  const predictions = new Int32Array(test.count);
  let events = 0;
  let elements = 0;
  const pass = (record: boolean) => {
    for (let i = 0; i < test.count; i += o.batch) {
      const n = Math.min(o.batch, test.count - i);
      const r = rt.run(test.images.subarray(i * size, (i + n) * size), n, { mode });
      if (!record) continue;
      for (let j = 0; j < n; j++) {
        let best = 0;
        for (let c = 1; c < rt.classes; c++) if (r.logits[j * rt.classes + c]! > r.logits[j * rt.classes + best]!) best = c;
        predictions[i + j] = best;
      }
      for (const k of r.kernels) {
        events += k.events;
        elements += k.elements;
      }
    }
  };
  pass(true);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < o.repeat; k++) pass(false);
  const ms = (performance.now() - t0) / o.repeat;
  const cpuMs = cpuMsSince(c0) / o.repeat;
  const lat: number[] = [];
  const warmUp = 10;
  for (let i = 0; i < o.latencyImages + warmUp; i++) {
    const at = (i % test.count) * size;
    const t = performance.now();
    rt.run(test.images.subarray(at, at + size), 1, { mode });
    if (i >= warmUp) lat.push(performance.now() - t);
  }
  return { imagesPerS: (test.count / ms) * 1000, cpuImagesPerS: (test.count / cpuMs) * 1000, latencyMs: median(lat), predictions, density: elements > 0 ? events / elements : 0 };
}

/** CPU milliseconds of this process since `start` (user + system). */
const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

const mismatches = (a: Int32Array, b: Int32Array) => a.reduce((n, v, i) => n + (v === b[i] ? 0 : 1), 0);

async function runOrt(bytes: Uint8Array, test: ImageSet, o: { batch: number; latencyImages: number; repeat: number }) {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const input = session.inputNames[0]!;
    const output = session.outputNames[0]!;
    const shape = (n: number) => [n, test.channels, test.height, test.width];
    const predictions = new Int32Array(test.count);
    const pass = async (record: boolean) => {
      for (let i = 0; i < test.count; i += o.batch) {
        const n = Math.min(o.batch, test.count - i);
        const r = await session.run({ [input]: new ort.Tensor('float32', nchw(test, i, n), shape(n)) });
        if (!record) continue;
        const out = r[output]!.data as Float32Array;
        const k = out.length / n;
        for (let j = 0; j < n; j++) {
          let best = 0;
          for (let c = 1; c < k; c++) if (out[j * k + c]! > out[j * k + best]!) best = c;
          predictions[i + j] = best;
        }
      }
    };
    await pass(true);
    // Inputs are converted outside the timed region for the latency, as the SNN's are tensors.
    const t0 = performance.now();
    for (let k = 0; k < o.repeat; k++) await pass(false);
    const ms = (performance.now() - t0) / o.repeat;
    const warmUp = 10;
    const singles = Array.from({ length: o.latencyImages + warmUp }, (_, i) => new ort.Tensor('float32', nchw(test, i % test.count, 1), shape(1)));
    const lat: number[] = [];
    for (const [i, t] of singles.entries()) {
      const s = performance.now();
      await session.run({ [input]: t });
      if (i >= warmUp) lat.push(performance.now() - s);
    }
    return { imagesPerS: (test.count / ms) * 1000, latencyMs: median(lat), predictions };
  } finally {
    await session.release();
  }
}

const accuracyOf = (p: Int32Array, labels: Int32Array) => p.reduce((a, v, i) => a + (v === labels[i] ? 1 : 0), 0) / labels.length;

/** The general SNN: general neurons, T = 1, thresholds balanced on the calibration images × 0.5. */
function generalSnn(net: Network, calibration: tf.Tensor4D): SnnModel {
  const neuron = parseWith(NeuronSpec, { kind: 'general', projection: 'sincos' }, 'neuron');
  const snn = new SnnModel(net, { timesteps: 1, neuron, encoder: createEncoder({ kind: 'direct' }, { timesteps: 1 }) });
  const thresholds = calibrateThresholds(net, calibration, { mode: 'snn', balanceSteps: 50 });
  snn.neurons.forEach((layer, i) => {
    if (layer.mode === 'step') layer.setParameter('threshold', thresholds[i]! * 0.5);
  });
  scaleOutputLayer(snn);
  return snn;
}

/** One JSON-ready result per workload (`emit` gets each as it is done). */
export async function benchConvertedInference(
  workloads: readonly ConvertedWorkload[] = CONVERTED_WORKLOADS,
  options: ConvertedInferOptions = {},
  emit: (r: ConvertedInferResult) => void = () => {},
): Promise<ConvertedInferResult[]> {
  const o = { batch: options.batch ?? 256, latencyImages: options.latencyImages ?? 100, repeat: options.repeat ?? 3 };
  const progress = options.progress ?? (() => {});
  const onnxFile = options.onnxFile ?? repo('tooling/fixtures/onnx/fmnist-cnn-bn.onnx');
  const data = await loadDataset(options.dataDir ?? repo('apps/cli/data/fashion-mnist-mini'));
  const test = takeFirst(data.test, options.testImages ?? 1000);
  const order = epochOrder(data.train.count, createRng(1)); // the CLI's calibration draw for seed 0
  const calibSet = takeFirst(subset(data.train, Array.from(order)), 512);
  const calibration = nhwc(calibSet, 0, calibSet.count);
  const imported = importOnnx(onnxFile);
  progress(`ann: onnxruntime-node, 1 thread`);
  const { readFileSync } = await import('node:fs');
  const ann = await runOrt(withoutFinalSoftmax(readFileSync(onnxFile)), test, o);
  const results: ConvertedInferResult[] = [];
  const saved = spikeKernelMode();
  try {
    for (const workload of workloads) {
      const net = networkFromImport(imported);
      let snn: SnnModel;
      let dispose: () => void;
      progress(`${workload}: converting`);
      if (workload === 'fmnist-cnn-hybrid-infer') {
        const c = await convert(net, { kind: 'hybrid', timesteps: 5, finetuneEpochs: 0, calibration: { images: 512 } }, { calibrationImages: calibration });
        snn = c.snn;
        dispose = () => c.dispose();
      } else {
        snn = generalSnn(net, calibration);
        dispose = () => snn.dispose();
      }
      progress(`${workload}: event-driven`);
      setSpikeKernelMode('auto');
      const fast = runSnn(snn, test, o);
      progress(`${workload}: dense`);
      setSpikeKernelMode('dense');
      const dense = runSnn(snn, test, o);
      setSpikeKernelMode(saved);
      let runtime: RuntimeFigures | null = null;
      let runtimeNote: string | null = null;
      try {
        const rt = compileSnn(snn);
        progress(`${workload}: runtime, event-driven`);
        const ev = runRuntime(rt, test, 'auto', o);
        progress(`${workload}: runtime, dense`);
        const rd = runRuntime(rt, test, 'dense', o);
        runtime = {
          images_per_s: +ev.imagesPerS.toFixed(1),
          dense_images_per_s: +rd.imagesPerS.toFixed(1),
          latency_ms_b1: +ev.latencyMs.toFixed(3),
          dense_latency_ms_b1: +rd.latencyMs.toFixed(3),
          simd: rt.simd,
          accuracy: accuracyOf(ev.predictions, test.labels),
          prediction_mismatches: mismatches(ev.predictions, fast.predictions),
          dense_prediction_mismatches: mismatches(rd.predictions, fast.predictions),
          input_density: +ev.density.toFixed(4),
          speedup_vs_tfjs_dense: +(ev.imagesPerS / dense.imagesPerS).toFixed(2),
          speedup_vs_tfjs_dense_cpu: +(ev.cpuImagesPerS / dense.cpuImagesPerS).toFixed(2),
          cpu_images_per_s: +ev.cpuImagesPerS.toFixed(1),
          dense_cpu_images_per_s: +rd.cpuImagesPerS.toFixed(1),
          speedup_vs_own_dense: +(ev.imagesPerS / rd.imagesPerS).toFixed(2),
          speedup_vs_tfjs: +(ev.imagesPerS / fast.imagesPerS).toFixed(2),
          latency_vs_tfjs: +(ev.latencyMs / fast.latencyMs).toFixed(3),
        };
      } catch (e) {
        if (!(e instanceof RuntimeUnsupportedError)) throw e;
        runtimeNote = e.message;
      }
      dispose();
      net.dispose();
      const r: ConvertedInferResult = {
        workload,
        engine: `spikelite-tfjs-${tf.version_core}-${tf.getBackend()}`,
        threads: 1,
        timesteps: snn.timesteps,
        batch: o.batch,
        snn_images_per_s: +fast.imagesPerS.toFixed(1),
        snn_dense_images_per_s: +dense.imagesPerS.toFixed(1),
        snn_cpu_images_per_s: +fast.cpuImagesPerS.toFixed(1),
        snn_dense_cpu_images_per_s: +dense.cpuImagesPerS.toFixed(1),
        snn_latency_ms_b1: +fast.latencyMs.toFixed(3),
        snn_dense_latency_ms_b1: +dense.latencyMs.toFixed(3),
        ann_ort_images_per_s: +ann.imagesPerS.toFixed(1),
        ann_ort_latency_ms_b1: +ann.latencyMs.toFixed(3),
        spikes_per_neuron: +fast.spikesPerNeuron.toFixed(4),
        spike_input_density: fast.density === null ? null : +fast.density.toFixed(4),
        accuracy: accuracyOf(fast.predictions, test.labels),
        accuracy_dense: accuracyOf(dense.predictions, test.labels),
        ann_accuracy: accuracyOf(ann.predictions, test.labels),
        prediction_mismatches: mismatches(fast.predictions, dense.predictions),
        runtime,
        runtime_note: runtimeNote,
        load_average: +loadavg()[0]!.toFixed(2),
      };
      results.push(r);
      emit(r);
    }
  } finally {
    setSpikeKernelMode(saved);
    calibration.dispose();
  }
  return results;
}
