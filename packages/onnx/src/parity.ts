/**
 * Reference runs with onnxruntime-node, and the parity check between onnxruntime and the
 * imported spikelite Network on the same images. (This package is the only library that may
 * import onnxruntime-node.)
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { currentBackend } from '@spikelite/engine';
import { Network } from '@spikelite/models';
import { importOnnx, type ImportOptions, type OnnxImport } from './import.js';
import { decodeModel, encodeDecodedModel } from './proto.js';
import { OnnxReference } from './reference.js';

export interface OnnxRunOptions {
  /** onnxruntime intra-op threads (default 1: the machines are shared; results do not depend on it). */
  threads?: number;
}

export interface OnnxRunResult {
  output: Float32Array;
  shape: number[];
}

function modelBytes(source: string | Uint8Array): Uint8Array {
  return typeof source === 'string' ? readFileSync(source) : source;
}

/**
 * The model without its final Softmax/LogSoftmax, so onnxruntime outputs logits: the
 * comparison then happens where spikelite's output is, and is not squashed by the softmax.
 */
export function withoutFinalSoftmax(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  const graph = model.graph;
  const out = graph?.output[0];
  const i = graph?.node.findIndex((n) => (n.op_type === 'Softmax' || n.op_type === 'LogSoftmax') && n.output[0] === out?.name) ?? -1;
  if (graph === undefined || out === undefined || i < 0) return bytes;
  const [softmax] = graph.node.splice(i, 1);
  out.name = softmax!.input[0] ?? '';
  return encodeDecodedModel(model);
}

/** The model with `name` (any value in the graph) as its only output: onnxruntime then computes that value. */
export function withOutput(bytes: Uint8Array, name: string): Uint8Array {
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (graph === undefined || graph.output.length === 1 && graph.output[0]!.name === name) return bytes;
  graph.output.splice(0, graph.output.length, { name });
  return encodeDecodedModel(model);
}

/** Run an ONNX model on one float input (NCHW for image models) and return its first output. */
export async function runOnnx(
  source: string | Uint8Array,
  input: Float32Array,
  shape: readonly number[],
  options: OnnxRunOptions = {},
): Promise<OnnxRunResult> {
  const reference = await OnnxReference.open(modelBytes(source), { logits: false, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  try {
    return await reference.runRaw(input, shape);
  } finally {
    await reference.close();
  }
}

/** An imported weight tensor holding NaN or ±Infinity values. */
export interface NonFiniteWeight {
  /** The spikelite parameter (`layers.0.kernel`; a folded BatchNorm shows in the kernel and bias it was folded into). */
  name: string;
  nan: number;
  infinite: number;
  size: number;
}

/** Every imported weight tensor with NaN or infinite values (none: an empty list). */
export function nonFiniteWeights(imported: OnnxImport): NonFiniteWeight[] {
  const out: NonFiniteWeight[] = [];
  for (const [name, values] of imported.weights) {
    let nan = 0;
    let infinite = 0;
    for (const v of values) {
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) infinite++;
    }
    if (nan + infinite > 0) out.push({ name, nan, infinite, size: values.length });
  }
  return out;
}

/** A Network with the imported weights (the caller disposes it). */
export function networkFromImport(imported: OnnxImport): Network {
  const net = Network.create(imported.spec);
  for (const [name, value] of imported.weights) net.params.assign(name, value);
  return net;
}

/**
 * The imported network's output on a batch in the ONNX layout: NCHW images in ([N, C, H, W],
 * or the input's own shape for other models), the output back in ONNX order (a feature map
 * [N, C, H, W], logits [N, classes]).
 */
export function forwardImported(net: Network, imported: OnnxImport, images: Float32Array, shape: readonly number[]): Float32Array {
  return tf.tidy(() => {
    const input = imported.spec.input;
    const n = shape[0] ?? 0;
    let x: tf.Tensor;
    if ('channels' in input) {
      const nchw = shape.length === 4 ? tf.tensor4d(images, [n, shape[1]!, shape[2]!, shape[3]!]) : tf.reshape(tf.tensor(images, [...shape]), [n, input.channels, input.height, input.width]);
      x = tf.transpose(nchw, [0, 2, 3, 1]);
    } else {
      x = imported.report.batch === 'none' ? tf.reshape(tf.tensor(images, [...shape]), [1, ...input.shape]) : tf.reshape(tf.tensor(images, [...shape]), [n, ...input.shape]);
    }
    const y = net.forwardAnn(x);
    const out = imported.report.output.layout === 'nhwc' && y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y;
    return Float32Array.from(out.dataSync());
  });
}

export interface ParityImages {
  /** NCHW float pixels (whatever scaling the model was trained on). */
  data: Float32Array;
  /** [N, C, H, W] (or [N, features] for a flat-input model). */
  shape: readonly number[];
}

export interface ParityResult {
  backend: string;
  images: number;
  /** max |onnxruntime − spikelite| over all outputs (logits: a final softmax is taken off the ONNX model first). */
  maxAbsDiff: number;
  /** min and max of the onnxruntime output; `span` = max − min. */
  outputRange: { min: number; max: number; span: number };
  /** maxAbsDiff / span (0 when the span is 0 and the outputs agree). */
  relativeDiff: number;
  /** Fraction of images whose top-1 class agrees (null when the output is not [N, classes]). */
  top1Agreement: number | null;
  /** relativeDiff ≤ tolerance, and every weight finite. */
  ok: boolean;
  /** Weight tensors with NaN or infinite values (the check fails when there is one). */
  nonFinite: NonFiniteWeight[];
  tolerance: number;
  onnx: Float32Array;
  spikelite: Float32Array;
}

export interface ParityOptions extends ImportOptions, OnnxRunOptions {
  /** Relative tolerance (of the output range); default 1e-4. */
  tolerance?: number;
  /** Reuse an import of the same file. */
  imported?: OnnxImport;
}

function argmaxRows(v: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length / classes; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (v[i * classes + c]! > v[i * classes + best]!) best = c;
    out.push(best);
  }
  return out;
}

/** Run onnxruntime and the imported spikelite network on the same images and compare. */
export async function checkParity(source: string | Uint8Array, images: ParityImages, options: ParityOptions = {}): Promise<ParityResult> {
  const imported = options.imported ?? importOnnx(source, options);
  const bytes = modelBytes(source);
  // The ONNX model takes normalised images when the import put the normalisation in front.
  const norm = imported.report.normalize;
  const c = images.shape[1] ?? 1;
  const plane = images.shape.slice(2).reduce((a, b) => a * b, 1);
  const at = (v: number[], k: number): number => v[v.length === 1 ? 0 : k]!;
  const onnxInput = norm === null ? images.data : images.data.map((x, i) => (x - at(norm.mean, Math.floor(i / plane) % c)) / at(norm.std, Math.floor(i / plane) % c));
  // The value the import took as its output (a cut backbone's, the logits before a final softmax).
  const outName = imported.report.output.name;
  const model = imported.report.outputActivation ? withoutFinalSoftmax(bytes) : withOutput(bytes, outName);
  const reference = await runOnnx(model, onnxInput, images.shape, options);
  const net = networkFromImport(imported);
  let ours: Float32Array;
  try {
    ours = forwardImported(net, imported, images.data, images.shape);
  } finally {
    net.dispose();
  }
  if (ours.length !== reference.output.length) {
    throw new Error(`checkParity: spikelite gave ${ours.length} outputs, onnxruntime ${reference.output.length} (shape [${reference.shape}])`);
  }
  let min = Infinity;
  let max = -Infinity;
  let maxAbsDiff = 0;
  reference.output.forEach((r, i) => {
    min = Math.min(min, r);
    max = Math.max(max, r);
    const d = Math.abs(r - ours[i]!);
    // NaN anywhere must fail the check, not vanish in Math.max.
    maxAbsDiff = Number.isNaN(d) ? NaN : Math.max(maxAbsDiff, d);
  });
  const span = max - min;
  const relativeDiff = span > 0 ? maxAbsDiff / span : maxAbsDiff === 0 ? 0 : Infinity;
  const tolerance = options.tolerance ?? 1e-4;
  const nonFinite = nonFiniteWeights(imported);
  const classes = imported.spec.classes;
  let agree: number | null = null;
  if (classes !== undefined) {
    const a = argmaxRows(reference.output, classes);
    const b = argmaxRows(ours, classes);
    agree = a.filter((v, i) => v === b[i]).length / Math.max(a.length, 1);
  }
  return {
    backend: currentBackend(),
    images: images.shape[0] ?? 0,
    maxAbsDiff,
    outputRange: { min, max, span },
    relativeDiff,
    top1Agreement: agree,
    ok: relativeDiff <= tolerance && nonFinite.length === 0,
    nonFinite,
    tolerance,
    onnx: reference.output,
    spikelite: ours,
  };
}
