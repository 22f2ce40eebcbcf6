/**
 * Bias correction of a rate-converted SNN (Li et al. 2021, "A free lunch from ANN", light
 * calibration). At short T a neuron's rate × θ misses its ANN activation by a systematic amount
 * per channel: rounding to k/T, the clip at θ (θ = scale × statistic < the largest inputs), and
 * errors from the layers before it. Layer by layer, in order, this measures that error's mean per
 * channel on calibration images and adds it to the bias of the weight layer that feeds the neuron,
 * so the next layer's error is measured on corrected inputs. No gradient, no labels.
 *
 * The bias is found by walking back from the activation's input through ops that a constant
 * shift passes through unchanged (a max pool, dropout), or into one addend of a sum (a
 * residual block's conv branch). Activations fed otherwise (a concat, an op without a bias) keep
 * their bias; the result says which.
 */
import type { Network, Node, SnnModel } from '@spikelite/models';
import * as tf from '@tensorflow/tfjs-core';
import { batchesOf } from './calibrate.js';

export interface BiasCorrectionLayer {
  /** The activation's path. */
  layer: string;
  /** The corrected bias parameter, or null when none could take the correction. */
  bias: string | null;
  /** Mean over channels of |ANN mean − SNN rate·θ mean| before this layer's correction. */
  meanAbsError: number;
}

export interface BiasCorrectionOptions {
  /** Images per forward pass (default 64). */
  batch?: number;
  log?: (msg: string) => void;
}

type WithBias = Extract<Node, { op: 'conv2d' | 'linear' | 'affine' }>;
const biasOfNode = (n: Node): string | null => (n.op === 'conv2d' || n.op === 'linear' || n.op === 'affine' ? (n as WithBias).bias : null);
/** Ops whose output shifts by c per channel when their input does (a max pool pads with −∞; dropout is the identity here). */
const SHIFT_THROUGH = new Set<Node['op']>(['maxPool', 'dropout']);

/** The bias parameter whose per-channel shift moves this activation's input by the same amount, or null. */
export function feedingBias(net: Network, activation: Extract<Node, { op: 'activation' }>): string | null {
  const nodes = net.graph.nodes;
  let node = nodes[activation.inputs[0]!];
  while (node !== undefined) {
    const own = biasOfNode(node);
    if (own !== null) return own;
    if (SHIFT_THROUGH.has(node.op)) {
      node = nodes[node.inputs[0]!];
      continue;
    }
    if (node.op === 'add') {
      for (const i of node.inputs) {
        const b = nodes[i] === undefined ? null : biasOfNode(nodes[i]!);
        if (b !== null) return b;
      }
    }
    return null;
  }
  return null;
}

/** Per-channel sums (last axis) of a tensor, added into acc; returns the elements per channel. */
function addChannelSums(acc: Float64Array, t: tf.Tensor): number {
  const C = acc.length;
  const s = tf.tidy(() => tf.sum(tf.reshape(t, [-1, C]), 0));
  const d = s.dataSync();
  s.dispose();
  for (let c = 0; c < C; c++) acc[c]! += d[c]!;
  return t.size / C;
}

/**
 * Corrects, in place, the biases of `snn`'s network (`snn.network`, whose biases are in ANN units:
 * weight normalisation keeps them so) against the activations of `ann`, the network it was
 * converted from (same activations in the same order). The SNN's neurons must be step neurons
 * emitting binary spikes, each worth its layer's (per-channel) θ.
 */
export function correctBiases(ann: Network, snn: SnnModel, images: tf.Tensor4D, options: BiasCorrectionOptions = {}): BiasCorrectionLayer[] {
  const run = snn.network;
  const acts = run.graph.activations;
  if (ann.graph.activations.length !== acts.length) {
    throw new Error(`correctBiases: the ANN has ${ann.graph.activations.length} activations, the SNN ${acts.length}`);
  }
  const batches = batchesOf(images, options.batch ?? 64);
  try {
    const channels = acts.map((a) => a.output[a.output.length - 1] ?? 1);
    // The ANN's side does not change: one pass for every layer.
    const annSums = channels.map((C) => new Float64Array(C));
    const counts = new Float64Array(acts.length);
    for (const x of batches) {
      const y = ann.forwardAnn(x, { release: true, onActivation: (node, out) => (counts[node.index]! += addChannelSums(annSums[node.index]!, out)) });
      y.dispose();
    }
    const used = new Set<string>();
    const result: BiasCorrectionLayer[] = [];
    for (let l = 0; l < acts.length; l++) {
      const node = acts[l]!;
      const neuron = snn.neurons[l]!;
      if (neuron.mode !== 'step') throw new Error(`correctBiases: ${node.path} is not a step neuron`);
      const C = channels[l]!;
      const theta = neuron.getParameter('threshold');
      const thetaOf = (c: number): number => theta[theta.length === 1 ? 0 : c]!;
      const spikeSums = new Float64Array(C);
      let count = 0;
      for (const x of batches) {
        const out = snn.forward(x, { release: true, onSpikes: (i, _t, s) => void (i === l && (count += addChannelSums(spikeSums, s))) });
        tf.dispose([out.logits, out.spikeCounts, ...(out.inputCounts ? [out.inputCounts] : [])]);
      }
      // count sums T steps of per-channel elements; the ANN count is the same elements once.
      const error = Float32Array.from(annSums[l]!, (a, c) => a / counts[l]! - (spikeSums[c]! * thetaOf(c)) / count);
      const meanAbsError = error.reduce((s, e) => s + Math.abs(e), 0) / C;
      let bias = feedingBias(run, node);
      if (bias !== null && used.has(bias)) bias = null;
      if (bias !== null) {
        used.add(bias);
        const current = run.params.get(bias);
        const next = tf.tidy(() => tf.add(current, tf.tensor1d(error)));
        run.params.assign(bias, next);
        next.dispose();
      }
      options.log?.(`  bias correction ${l + 1}/${acts.length} ${node.path}: mean |error| ${meanAbsError.toFixed(4)}${bias === null ? ' (no bias to correct)' : ''}`);
      result.push({ layer: node.path, bias, meanAbsError });
    }
    return result;
  } finally {
    tf.dispose(batches);
  }
}
