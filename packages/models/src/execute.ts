/**
 * Runs compiled nodes on NHWC tensors. The same code serves the ANN (activations are
 * functions) and the SNN (activations are neuron steps): the caller decides through
 * {@link ExecContext.activation}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spikeConv2d, spikeMatMul } from '@spikelite/engine';
import { pair } from '@spikelite/schemas';
import type { Node } from './graph.js';
import type { ParamStore } from './params.js';

export interface ExecContext {
  readonly params: ParamStore;
  /** Batch statistics for BatchNorm (and update of its running averages). */
  readonly bnTraining: boolean;
  activation(node: Extract<Node, { op: 'activation' }>, x: tf.Tensor): tf.Tensor;
  /** A mask scaled by 1/(1 − rate), or null when dropout is off. */
  dropoutMask(node: Extract<Node, { op: 'dropout' }>, shape: number[]): tf.Tensor | null;
  /** Sees each conv/linear layer's input (the SNN counts the spikes that reach it, after pooling). */
  weightInput?(node: Extract<Node, { op: 'conv2d' | 'linear' }>, x: tf.Tensor): void;
  /**
   * True when this conv/linear layer's input is binary spikes (possibly pooled or dropped
   * out): the engine's spike ops then choose event-driven or dense kernels by density.
   */
  spikeInput?(node: Extract<Node, { op: 'conv2d' | 'linear' }>): boolean;
}

type PoolNode = Extract<Node, { op: 'avgPool' | 'maxPool' }>;

function pool(node: PoolNode, x: tf.Tensor4D): tf.Tensor4D {
  const l = node.layer;
  const size = pair(l.poolSize);
  const strides = pair(l.strides ?? l.poolSize);
  if (node.op === 'avgPool' && node.layer.countIncludePad && l.padding === 'same') {
    throw new Error(`${node.path}: avgPool with 'same' padding and countIncludePad is not supported`);
  }
  if (l.padding === 'valid' && l.ceilMode) return ceilPool(node.op, x, size, strides);
  return node.op === 'avgPool' ? tf.avgPool(x, size, strides, l.padding) : tf.maxPool(x, size, strides, l.padding);
}

/**
 * PyTorch's ceil_mode with no padding: the output size rounds up and the last window overhangs
 * the input. Written out with explicit padding because tfjs-wasm's own ceil rounding returns
 * wrong edge values (a 3×3 input pooled 2×2 gave [5, 0, 0, 0] on wasm, [5, 6, 8, 9] on cpu).
 * Max: the overhang is padded with a value below any activation. Average: over the window's
 * elements inside the input only (PyTorch's divisor for the overhang), i.e. the zero-padded
 * mean divided by the fraction of the window inside the input.
 */
function ceilPool(op: PoolNode['op'], x: tf.Tensor4D, size: [number, number], strides: [number, number]): tf.Tensor4D {
  const [, H, W] = x.shape as [number, number, number, number];
  // Output size ceil((n − k)/s) + 1: the last window starts at ceil((n − k)/s)·s and ends k later.
  const overhang = (n: number, k: number, s: number) => Math.max(0, Math.ceil((n - k) / s) * s + k - n);
  const ph = overhang(H, size[0], strides[0]);
  const pw = overhang(W, size[1], strides[1]);
  if (ph === 0 && pw === 0) return op === 'avgPool' ? tf.avgPool(x, size, strides, 'valid') : tf.maxPool(x, size, strides, 'valid');
  const paddings: Array<[number, number]> = [[0, 0], [0, ph], [0, pw], [0, 0]];
  if (op === 'maxPool') return tf.maxPool(tf.pad(x, paddings, -3.4e38), size, strides, 'valid');
  const mean = tf.avgPool(tf.pad(x, paddings, 0), size, strides, 'valid');
  const inside = tf.avgPool(tf.pad(tf.ones([1, H, W, 1]), paddings, 0) as tf.Tensor4D, size, strides, 'valid');
  return tf.div(mean, inside);
}

function convPad(p: Extract<Node, { op: 'conv2d' }>['layer']['padding']): 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  return typeof p === 'string' ? p : [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
}

function batchNorm(node: Extract<Node, { op: 'batchNorm' }>, x: tf.Tensor, ctx: ExecContext): tf.Tensor {
  const gamma = ctx.params.get(node.gamma);
  const beta = ctx.params.get(node.beta);
  const runMean = ctx.params.get(node.mean);
  const runVar = ctx.params.get(node.variance);
  if (!ctx.bnTraining) return tf.batchNorm(x, runMean, runVar, beta, gamma, node.layer.epsilon);
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const m = node.layer.momentum;
  // Running statistics follow PyTorch: new = (1 − m)·old + m·batch (unbiased variance).
  const n = x.size / x.shape[x.shape.length - 1]!;
  tf.tidy(() => {
    runMean.assign(tf.add(tf.mul(runMean, 1 - m), tf.mul(mean, m)));
    runVar.assign(tf.add(tf.mul(runVar, 1 - m), tf.mul(variance, (m * n) / Math.max(n - 1, 1))));
  });
  return tf.batchNorm(x, mean, variance, beta, gamma, node.layer.epsilon);
}

export function execute(nodes: readonly Node[], x: tf.Tensor, ctx: ExecContext): tf.Tensor {
  let h = x;
  for (const node of nodes) {
    switch (node.op) {
      // ---- [issue 16, speed] the one call site of the engine's spike ops: a weight layer fed
      // by spikes runs spikeConv2d / spikeMatMul (event-driven below a density, else dense).
      case 'conv2d': {
        ctx.weightInput?.(node, h);
        const l = node.layer;
        const w = ctx.params.get(node.kernel) as tf.Tensor4D;
        h = ctx.spikeInput?.(node)
          ? spikeConv2d(h as tf.Tensor4D, w, pair(l.strides), convPad(l.padding), pair(l.dilations))
          : tf.conv2d(h as tf.Tensor4D, w, pair(l.strides), convPad(l.padding), 'NHWC', pair(l.dilations));
        if (node.bias) h = tf.add(h, ctx.params.get(node.bias));
        break;
      }
      case 'linear': {
        ctx.weightInput?.(node, h);
        const w = ctx.params.get(node.kernel) as tf.Tensor2D;
        h = ctx.spikeInput?.(node) ? spikeMatMul(h as tf.Tensor2D, w) : tf.matMul(h as tf.Tensor2D, w);
        if (node.bias) h = tf.add(h, ctx.params.get(node.bias));
        break;
      }
      // ---- [issue 16] end
      case 'avgPool':
      case 'maxPool':
        h = pool(node, h as tf.Tensor4D);
        break;
      case 'globalAvgPool':
        h = tf.mean(h, [1, 2]);
        break;
      case 'flatten':
        h = tf.reshape(h, [h.shape[0]!, -1]);
        break;
      case 'batchNorm':
        h = batchNorm(node, h, ctx);
        break;
      case 'dropout': {
        const mask = ctx.dropoutMask(node, h.shape);
        if (mask) h = tf.mul(h, mask);
        break;
      }
      case 'activation':
        h = ctx.activation(node, h);
        break;
      case 'residual': {
        const body = execute(node.body, h, ctx);
        const shortcut = node.shortcut.length > 0 ? execute(node.shortcut, h, ctx) : h;
        h = tf.add(body, shortcut);
        break;
      }
    }
  }
  return h;
}

/** The ANN activation functions. */
export function applyActivation(node: Extract<Node, { op: 'activation' }>, x: tf.Tensor): tf.Tensor {
  const l = node.layer;
  switch (l.fn) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'leakyRelu':
      return tf.leakyRelu(x, l.alpha ?? 0.01);
    case 'tanh':
      return tf.tanh(x);
    case 'identity':
      return x;
  }
}
