/**
 * The demo's model asset (public/model.json + public/model.weights.bin, made by
 * scripts/make-model.ts) and one traced SNN run of an image. Browser-safe: no Node imports,
 * so the page, the Node-side test and the asset generator all run the model through this file.
 */
import * as tf from '@tensorflow/tfjs-core';
import { accountEnergy, type EnergyAccount } from '@spikelite/energy';
import { createEncoder } from '@spikelite/encoding';
import { Network, SnnModel } from '@spikelite/models';
import { getNeuronDefinition } from '@spikelite/neurons';
import { DEFAULT_ENERGY_PROFILE, EncodingSpec, ModelSpec, NeuronSpec, imageInput, parseWith } from '@spikelite/schemas';

export const MODEL_FORMAT = 'spikelite-demo-model';

export interface WeightEntry {
  name: string;
  shape: number[];
  /** Offset into the weights file, in float32 elements. */
  offset: number;
}

export interface DemoModel {
  format: typeof MODEL_FORMAT;
  version: 1;
  spec: ModelSpec;
  timesteps: number;
  encoding: EncodingSpec;
  /** One neuron per activation layer, graph order. */
  neurons: NeuronSpec[];
  /** Per activation layer: the ANN activation it replaces and its neuron count per image. */
  layers: Array<{ layer: string; activation: string; neuron: string; threshold: number | null; neurons: number }>;
  /**
   * How layer 1 is fed, for energy accounting: analog steps (direct: T, hybrid: 1) and the
   * input spikes per element measured on the calibration images (the page counts each image's own).
   */
  energyInput: { analogSteps: number; inputSpikesPerElement: number };
  gradedSpikes: boolean;
  classNames: string[];
  weightsFile: string;
  weights: WeightEntry[];
  /** How the asset was made and what it scores (written by make-model.ts, shown on the page). */
  provenance: Record<string, unknown>;
  evaluation: { images: number; accuracy: number; annAccuracy: number; spikesPerNeuron: number; energyRatio: number };
}

export interface Sample {
  /** Index in the shipped 1,000-image test subset. */
  index: number;
  label: number;
  /** 28×28 uint8 pixels, base64. */
  pixels: string;
  /** The SNN's class when the asset was made (Node, wasm). */
  snnPrediction: number;
}

function fail(source: string, msg: string): never {
  throw new Error(`${source}: ${msg}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate model.json: the nested specs by their @spikelite/schemas schemas, the rest by hand. */
export function parseDemoModel(json: unknown, source = 'model.json'): DemoModel {
  if (!isRecord(json)) fail(source, 'expected a JSON object');
  if (json['format'] !== MODEL_FORMAT || json['version'] !== 1) fail(source, `format: expected '${MODEL_FORMAT}' version 1`);
  const spec = parseWith(ModelSpec, json['spec'], `${source}: spec`);
  const timesteps = json['timesteps'];
  if (typeof timesteps !== 'number' || !Number.isInteger(timesteps) || timesteps < 1) fail(source, `timesteps: expected a positive integer, got ${String(timesteps)}`);
  const encoding = parseWith(EncodingSpec, json['encoding'], `${source}: encoding`);
  const neuronsRaw = json['neurons'];
  if (!Array.isArray(neuronsRaw)) fail(source, 'neurons: expected an array');
  const neurons = neuronsRaw.map((n, i) => parseWith(NeuronSpec, n, `${source}: neurons[${i}]`));
  const weights = json['weights'];
  if (!Array.isArray(weights) || weights.some((w) => !isRecord(w) || typeof w['name'] !== 'string' || !Array.isArray(w['shape']) || typeof w['offset'] !== 'number')) {
    fail(source, 'weights: expected [{ name, shape, offset }]');
  }
  if (typeof json['weightsFile'] !== 'string') fail(source, 'weightsFile: expected a file name');
  const classNames = json['classNames'];
  if (!Array.isArray(classNames) || classNames.length !== spec.classes) fail(source, `classNames: expected ${spec.classes} names`);
  return { ...(json as unknown as DemoModel), spec, timesteps, encoding, neurons };
}

export function parseSamples(json: unknown, source = 'samples.json'): Sample[] {
  if (!Array.isArray(json)) fail(source, 'expected an array of samples');
  return json.map((s, i) => {
    if (!isRecord(s) || typeof s['index'] !== 'number' || typeof s['label'] !== 'number' || typeof s['pixels'] !== 'string') fail(source, `[${i}]: expected { index, label, pixels }`);
    return s as unknown as Sample;
  });
}

export function decodePixels(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function encodePixels(px: Uint8Array): string {
  let s = '';
  for (const v of px) s += String.fromCharCode(v);
  return btoa(s);
}

export interface LoadedSnn {
  model: DemoModel;
  net: Network;
  snn: SnnModel;
  dispose(): void;
}

/** The Network with the asset's weights, and its SNN (neurons and encoding from the asset). */
export function buildSnn(model: DemoModel, weights: Float32Array): LoadedSnn {
  const net = Network.create(model.spec);
  const byName = new Map(model.weights.map((w) => [w.name, w]));
  for (const info of net.params.list()) {
    const w = byName.get(info.name) ?? fail(model.weightsFile, `no tensor '${info.name}'`);
    const size = info.shape.reduce((a, b) => a * b, 1);
    if (w.shape.join() !== info.shape.join()) fail(model.weightsFile, `'${info.name}' has shape [${w.shape}], the model needs [${info.shape}]`);
    if (w.offset + size > weights.length) fail(model.weightsFile, `'${info.name}' runs past the end of the file (${weights.length} floats)`);
    net.params.assign(info.name, weights.subarray(w.offset, w.offset + size));
  }
  if (model.neurons.length !== net.graph.activations.length) {
    fail('model.json', `neurons: ${model.neurons.length} specs for ${net.graph.activations.length} activation layers`);
  }
  const snn = new SnnModel(net, {
    timesteps: model.timesteps,
    neuron: (node) => model.neurons[node.index]!,
    encoder: createEncoder(model.encoding, { timesteps: model.timesteps }),
  });
  return { model, net, snn, dispose: () => { snn.dispose(); net.dispose(); } };
}

export interface SnnTrace {
  timesteps: number;
  classes: number;
  /** Output membrane U(t), t = 1..T: [T][classes]. */
  membrane: Float32Array[];
  /** Every spike of every hidden layer: per layer, [T × neurons] (0/1). */
  spikes: Uint8Array[];
  /** Spikes per layer per step (all neurons of the layer). */
  counts: number[][];
  /**
   * Per weight layer (graph.weightLayers order), the sum of its input over all T: for layers
   * fed by spikes, the spikes that reach it (after a max pool, an OR of each window: more per
   * element than the neurons before the pool emit); for the first layer, the analog image × T.
   */
  inputCounts: number[];
  /** The first weight layer's input summed over the image, per step (analog steps: Σ pixel values; spike steps: spikes). */
  inputByStep: number[];
  /** Input spikes of this image: what the encoder sent into the first layer on its spike steps (binary spikes: their sum). */
  inputSpikes: number;
  /** Per hidden layer, the most spikes one neuron fired over the T steps (single-spike neurons: at most 1). */
  maxSpikesPerNeuron: number[];
  /** argmax U(t) at every step; the last one is the prediction. */
  predictionByStep: number[];
  prediction: number;
  /** Wall time of the forward pass and the read-back. */
  runMs: number;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Run one image (uint8 pixels, H×W×C) through the SNN, recording U(t) and every spike. */
export async function traceImage(loaded: LoadedSnn, pixels: Uint8Array): Promise<SnnTrace> {
  const { height, width, channels } = imageInput(loaded.model.spec.input, 'the demo model');
  if (pixels.length !== height * width * channels) throw new Error(`image: expected ${height * width * channels} pixels, got ${pixels.length}`);
  const t0 = performance.now();
  // The fixtures' ANNs take pixel / 255 (tooling/fixtures/onnx/README.md), as @spikelite/data loads them.
  const input = Float32Array.from(pixels, (v) => v / 255);
  const out = tf.tidy(() => {
    const x = tf.tensor4d(input, [1, height, width, channels]);
    const spikes: tf.Tensor[][] = loaded.snn.neurons.map(() => []);
    const r = loaded.snn.forward(x, { recordMembrane: true, countInputs: true, onSpikes: (l, t, s) => { spikes[l]![t] = tf.reshape(s, [-1]); } });
    return { membrane: tf.stack(r.membrane!), counts: r.spikeCounts, inputCounts: r.inputCounts!, spikes: spikes.map((l) => tf.stack(l)) };
  });
  try {
    const [membrane, counts, inputCounts, ...spikes] = await Promise.all([out.membrane.data(), out.counts.data(), out.inputCounts.data(), ...out.spikes.map((s) => s.data())]);
    const T = loaded.model.timesteps;
    const classes = classCount(loaded);
    const u = Array.from({ length: T }, (_, t) => Float32Array.from(membrane.subarray(t * classes, (t + 1) * classes)));
    const layers = spikes.length;
    const c = Array.from({ length: layers }, (_, l) => Array.from(counts.subarray(l * T, (l + 1) * T)));
    const predictionByStep = u.map((row) => argmax(row));
    const rasters = spikes.map((s) => Uint8Array.from(s as Float32Array, (v) => (v > 0 ? 1 : 0)));
    const maxSpikesPerNeuron = rasters.map((s) => {
      const n = s.length / T;
      const per = new Uint16Array(n);
      for (let i = 0; i < s.length; i++) per[i % n]! += s[i]!;
      return per.reduce((a, v) => Math.max(a, v), 0);
    });
    const weightLayers = out.inputCounts.shape[0]!;
    return {
      timesteps: T,
      classes,
      membrane: u,
      spikes: rasters,
      counts: c,
      inputCounts: Array.from({ length: weightLayers }, (_, w) => Array.from(inputCounts.subarray(w * T, (w + 1) * T)).reduce((a, v) => a + v, 0)),
      inputByStep: Array.from(inputCounts.subarray(0, T)),
      inputSpikes: Array.from(inputCounts.subarray(0, T)).reduce((a, v, t) => a + (loaded.snn.encoder.isAnalog(t) ? 0 : v), 0),
      maxSpikesPerNeuron,
      predictionByStep,
      prediction: predictionByStep[T - 1]!,
      runMs: performance.now() - t0,
    };
  } finally {
    tf.dispose([out.membrane, out.counts, out.inputCounts, ...out.spikes]);
  }
}

/**
 * Energy of this image's run against the ANN (SPEC energy accounting, @spikelite/energy),
 * profile cmos45nm-fp32. ζ_l = this image's spikes per neuron of layer l over all T; each
 * spike-fed weight layer is charged by the spikes that reach it per input element
 * (inputEventsPerElement), so a layer after a max pool pays for the pool's output, not its input.
 * The first layer: the asset's analog steps × its MACs, plus one AC per synapse for each of
 * this image's input spikes (hybrid: one per non-black pixel).
 */
export function energyOfTrace(loaded: LoadedSnn, tr: Pick<SnnTrace, 'counts' | 'inputCounts' | 'inputSpikes'>): EnergyAccount {
  const T = loaded.model.timesteps;
  const { weightLayers } = loaded.net.graph;
  if (tr.inputCounts.length !== weightLayers.length) throw new Error(`energy: ${tr.inputCounts.length} input counts for ${weightLayers.length} weight layers`);
  const spikesPerNeuron = tr.counts.map((c, l) => c.reduce((a, v) => a + v, 0) / loaded.model.layers[l]!.neurons);
  const { height, width, channels } = imageInput(loaded.model.spec.input, 'the demo model');
  return accountEnergy({
    graph: loaded.net.graph,
    spikesPerNeuron,
    // The first layer's entry (the encoded image) is not used: it is charged by `input` below.
    inputEventsPerElement: tr.inputCounts.map((c, i) => c / weightLayers[i]!.input.reduce((a, b) => a * b, 1)),
    input: { analogSteps: loaded.model.energyInput.analogSteps, inputSpikesPerElement: tr.inputSpikes / (height * width * channels) },
    gradedSpikes: loaded.model.gradedSpikes,
    profile: DEFAULT_ENERGY_PROFILE,
    timesteps: T,
    neuronUpdates: {
      layers: loaded.snn.neurons.map((n) => ({ ops: getNeuronDefinition(n.spec.kind).updateOps, steps: T, kind: n.spec.kind })),
      output: { ops: getNeuronDefinition('integrator').updateOps, steps: T, kind: 'integrator' },
    },
  });
}

/** The number of classes of the demo model (its output is `[classes]` logits). */
function classCount(loaded: LoadedSnn): number {
  const c = loaded.model.spec.classes;
  if (c === undefined) throw new Error('the demo model has no classes: it needs a classifier ([classes] logits)');
  return c;
}
