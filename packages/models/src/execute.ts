/**
 * Runs a compiled graph on NHWC tensors (batch first). The same code serves the ANN
 * (activations are functions) and the SNN (activations are neuron steps): the caller decides
 * through {@link ExecContext.activation}. Per-image shapes of the graph get the batch axis
 * in front; constants get a batch axis of 1, which broadcasts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spikeConv2d, spikeMatMul } from '@spikelite/engine';
import { pair, sliceBounds } from '@spikelite/schemas';
import { GRAPH_INPUT, type CompiledGraph, type Node, type NodeOf } from './graph.js';
import type { ParamStore } from './params.js';
import { samePads } from './runtime/geometry.js';

export interface ExecContext {
  readonly params: ParamStore;
  /** Batch statistics for BatchNorm (and update of its running averages). */
  readonly bnTraining: boolean;
  activation(node: NodeOf<'activation'>, x: tf.Tensor): tf.Tensor;
  /** A mask scaled by 1/(1 − rate), or null when dropout is off. */
  dropoutMask(node: NodeOf<'dropout'>, shape: number[]): tf.Tensor | null;
  /** Sees each conv/linear layer's input (the SNN counts the spikes that reach it, after pooling). */
  weightInput?(node: NodeOf<'conv2d' | 'linear'>, x: tf.Tensor): void;
  /**
   * Dispose each intermediate value as soon as its last reader has run (inference only: a
   * gradient tape needs them). Keeps the memory of a deep network at its widest cut.
   */
  readonly release?: boolean;
  /**
   * True when this conv/linear layer's input is spikes (possibly pooled or dropped out): the
   * engine's spike ops then choose event-driven or dense kernels by density.
   */
  spikeInput?(node: NodeOf<'conv2d' | 'linear'>): boolean;
}

type PoolNode = NodeOf<'avgPool' | 'maxPool' | 'sumPool'>;


/**
 * Pooling with explicit pads and ceil mode, written out: the input is padded (max: a value
 * below any activation; average and sum: zeros) with the explicit pads plus the overhang of
 * ceil-mode windows, then pooled 'valid'. An average divides by the window's elements inside
 * the input (count_include_pad = false) or inside the explicitly padded input (true; the ceil
 * overhang never counts, as PyTorch and ONNX). tfjs-wasm's own ceil rounding returned wrong
 * edge values (a 3×3 input pooled 2×2 gave [5, 0, 0, 0] on wasm, [5, 6, 8, 9] on cpu).
 */
function pool(node: PoolNode, x: tf.Tensor4D): tf.Tensor4D {
  const l = node.layer;
  const k = pair(l.poolSize);
  const s = pair(l.strides ?? l.poolSize);
  const d = node.op === 'maxPool' ? pair(node.layer.dilations ?? 1) : ([1, 1] as [number, number]);
  const [, H, W] = x.shape;
  const [oh, ow] = node.output as [number, number, number];
  const includePad = node.op === 'sumPool' || (node.op === 'avgPool' && node.layer.countIncludePad);
  const simple = d[0] === 1 && d[1] === 1 && !includePad && !l.ceilMode;
  if (simple && typeof l.padding === 'string') {
    return node.op === 'avgPool' ? tf.avgPool(x, k, s, l.padding) : tf.maxPool(x, k, s, l.padding);
  }
  const p = typeof l.padding === 'string' ? (l.padding === 'same' ? samePads(H, W, k, s, d) : { top: 0, bottom: 0, left: 0, right: 0 }) : l.padding;
  // Extra rows/columns at the end so that every output window fits (ceil mode).
  const extent = (kk: number, dd: number): number => (kk - 1) * dd + 1;
  const overH = Math.max(0, (oh - 1) * s[0] + extent(k[0], d[0]) - (H + p.top + p.bottom));
  const overW = Math.max(0, (ow - 1) * s[1] + extent(k[1], d[1]) - (W + p.left + p.right));
  const paddings: Array<[number, number]> = [[0, 0], [p.top, p.bottom + overH], [p.left, p.right + overW], [0, 0]];
  const crop = (t: tf.Tensor4D): tf.Tensor4D => (t.shape[1] === oh && t.shape[2] === ow ? t : tf.slice(t, [0, 0, 0, 0], [-1, oh, ow, -1]));
  if (node.op === 'maxPool') {
    const padded = tf.pad(x, paddings, -3.4e38);
    return crop(d[0] === 1 && d[1] === 1 ? tf.maxPool(padded, k, s, 'valid') : (tf.pool(padded, k, 'max', 'valid', d, s) as tf.Tensor4D));
  }
  const mean = crop(tf.avgPool(tf.pad(x, paddings, 0), k, s, 'valid'));
  const area = k[0] * k[1];
  if (node.op === 'sumPool') return tf.mul(mean, area);
  // The share of each window that counts: inside the input, or inside the explicitly padded input.
  const ones = tf.ones([1, H, W, 1]) as tf.Tensor4D;
  const counted = includePad
    ? tf.pad(tf.pad(ones, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], 1), [[0, 0], [0, overH], [0, overW], [0, 0]], 0)
    : tf.pad(ones, paddings, 0);
  const share = crop(tf.avgPool(counted as tf.Tensor4D, k, s, 'valid'));
  return tf.div(mean, share);
}

function convPad(p: NodeOf<'conv2d'>['layer']['padding']): 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] {
  return typeof p === 'string' ? p : [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
}

/** Convolution with groups: depthwise through tfjs's depthwise kernel, other groups as one conv per group. */
function conv2d(node: NodeOf<'conv2d'>, x: tf.Tensor4D, kernel: tf.Tensor4D, spikes = false): tf.Tensor4D {
  const l = node.layer;
  const strides = pair(l.strides);
  const dil = pair(l.dilations);
  if (strides.some((v) => v > 1) && dil.some((v) => v > 1)) {
    // tfjs takes strides or dilations, not both: the dilated conv at stride 1 over the same
    // (explicit) padding, then every stride-th output.
    const [, H, W] = x.shape;
    const [kh, kw] = pair(l.kernelSize);
    const p = l.padding === 'same' ? samePads(H, W, [kh, kw], strides, dil) : l.padding === 'valid' ? { top: 0, bottom: 0, left: 0, right: 0 } : l.padding;
    const full = conv2dOnce({ ...node, layer: { ...l, strides: 1, padding: p } }, x, kernel, false);
    const [oh, ow] = node.output as [number, number, number];
    return tf.stridedSlice(full, [0, 0, 0, 0], [full.shape[0], (oh - 1) * strides[0] + 1, (ow - 1) * strides[1] + 1, full.shape[3]], [1, strides[0], strides[1], 1]) as tf.Tensor4D;
  }
  return conv2dOnce(node, x, kernel, spikes);
}

function conv2dOnce(node: NodeOf<'conv2d'>, x: tf.Tensor4D, kernel: tf.Tensor4D, spikes: boolean): tf.Tensor4D {
  const l = node.layer;
  const strides = pair(l.strides);
  const dil = pair(l.dilations);
  const pad = convPad(l.padding);
  const g = l.groups;
  // [issue 16] spike-fed layers: the engine picks event-driven or dense kernels by density.
  if (g === 1) return spikes ? spikeConv2d(x, kernel, strides, pad, dil) : tf.conv2d(x, kernel, strides, pad, 'NHWC', dil);
  const cin = x.shape[3];
  const [kh, kw, , cout] = kernel.shape;
  if (g === cin) {
    // HWIO [kh, kw, 1, C·m] holds output channel c·m + j at the same offset as [kh, kw, C, m].
    return tf.depthwiseConv2d(x, tf.reshape(kernel, [kh, kw, cin, cout / cin]) as tf.Tensor4D, strides, pad, 'NHWC', dil) as tf.Tensor4D;
  }
  const xs = tf.split(x, g, 3) as tf.Tensor4D[];
  const ks = tf.split(kernel, g, 3) as tf.Tensor4D[];
  return tf.concat(xs.map((xi, i) => tf.conv2d(xi, ks[i]!, strides, pad, 'NHWC', dil)), 3);
}

function batchNorm(node: NodeOf<'batchNorm'>, x: tf.Tensor, ctx: ExecContext): tf.Tensor {
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

/** Per-image broadcasting: give the lower-rank operand unit axes after its batch axis. */
function aligned(xs: tf.Tensor[]): tf.Tensor[] {
  const rank = Math.max(...xs.map((t) => t.rank));
  return xs.map((t) => (t.rank === rank ? t : tf.reshape(t, [t.shape[0]!, ...Array<number>(rank - t.rank).fill(1), ...t.shape.slice(1)])));
}

/** Softmax or log-softmax along any axis (tfjs supports only the last). */
function softmax(x: tf.Tensor, axis: number, log: boolean): tf.Tensor {
  const f = (t: tf.Tensor): tf.Tensor => (log ? tf.logSoftmax(t) : tf.softmax(t));
  if (axis === x.rank - 1) return f(x);
  const perm = x.shape.map((_, i) => i);
  perm[axis] = x.rank - 1;
  perm[x.rank - 1] = axis;
  return tf.transpose(f(tf.transpose(x, perm)), perm);
}

function slice(node: NodeOf<'slice'>, x: tf.Tensor): tf.Tensor {
  const axis = node.axis + 1;
  const { begin, count } = sliceBounds(x.shape[axis]!, node.layer.start, node.layer.end, node.layer.step);
  if (node.layer.step === 1) {
    const b = x.shape.map((_, i) => (i === axis ? begin : 0));
    const size = x.shape.map((n, i) => (i === axis ? count : n!));
    return tf.slice(x, b, size);
  }
  const idx = Array.from({ length: count }, (_, i) => begin + i * node.layer.step);
  return tf.gather(x, tf.tensor1d(idx, 'int32'), axis);
}

function pad(node: NodeOf<'pad'>, x: tf.Tensor): tf.Tensor {
  const l = node.layer;
  const paddings: Array<[number, number]> = [[0, 0], ...l.pads.map(([a, b]) => [a, b] as [number, number])];
  if (l.mode === 'constant') return tf.pad(x, paddings, l.value);
  if (l.mode === 'reflect') return tf.mirrorPad(x, paddings, 'reflect');
  // Edge: repeat the border element, as a gather of clamped indices per padded axis.
  let y = x;
  paddings.forEach(([a, b], axis) => {
    if (a === 0 && b === 0) return;
    const n = y.shape[axis]!;
    const idx = Array.from({ length: n + a + b }, (_, i) => Math.min(Math.max(i - a, 0), n - 1));
    y = tf.gather(y, tf.tensor1d(idx, 'int32'), axis);
  });
  return y;
}

/** One node's output from its input tensors. */
function run(node: Node, ins: tf.Tensor[], ctx: ExecContext): tf.Tensor {
  const h = ins[0]!;
  switch (node.op) {
    case 'conv2d': {
      ctx.weightInput?.(node, h);
      const y = conv2d(node, h as tf.Tensor4D, ctx.params.get(node.kernel) as tf.Tensor4D, ctx.spikeInput?.(node) ?? false);
      return node.bias ? tf.add(y, ctx.params.get(node.bias)) : y;
    }
    case 'linear': {
      ctx.weightInput?.(node, h);
      const k = ctx.params.get(node.kernel) as tf.Tensor2D;
      const flat = h.rank === 2 ? (h as tf.Tensor2D) : tf.reshape(h, [-1, h.shape[h.rank - 1]!]) as tf.Tensor2D;
      let y: tf.Tensor = ctx.spikeInput?.(node) ? spikeMatMul(flat, k) : tf.matMul(flat, k);
      if (node.bias) y = tf.add(y, ctx.params.get(node.bias));
      return h.rank === 2 ? y : tf.reshape(y, [...h.shape.slice(0, -1), k.shape[1]]);
    }
    case 'avgPool':
    case 'maxPool':
    case 'sumPool':
      return pool(node, h as tf.Tensor4D);
    case 'globalAvgPool':
      return tf.mean(h, [1, 2], node.layer.keepDims ?? false);
    case 'globalMaxPool':
      return tf.max(h, [1, 2], node.layer.keepDims ?? false);
    case 'flatten': {
      const chw = node.layer.order === 'chw' && h.rank === 4;
      return tf.reshape(chw ? tf.transpose(h, [0, 3, 1, 2]) : h, [h.shape[0]!, -1]);
    }
    case 'batchNorm':
      return batchNorm(node, h, ctx);
    case 'dropout': {
      const mask = ctx.dropoutMask(node, h.shape);
      return mask ? tf.mul(h, mask) : h;
    }
    case 'activation':
      return ctx.activation(node, h);
    case 'affine': {
      const y = node.scale ? tf.mul(h, ctx.params.get(node.scale)) : h;
      return node.bias ? tf.add(y, ctx.params.get(node.bias)) : y;
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div': {
      const [a, b] = aligned(ins) as [tf.Tensor, tf.Tensor];
      return node.op === 'add' ? tf.add(a, b) : node.op === 'sub' ? tf.sub(a, b) : node.op === 'mul' ? tf.mul(a, b) : tf.div(a, b);
    }
    case 'matmul': {
      const vec = [node.inputShapes[0]!.length === 1, node.inputShapes[1]!.length === 1];
      const a = vec[0] ? tf.expandDims(ins[0]!, 1) : ins[0]!;
      const b = vec[1] ? tf.expandDims(ins[1]!, -1) : ins[1]!;
      const [x, y] = aligned([a, b]) as [tf.Tensor, tf.Tensor];
      // tfjs broadcasts batch axes of rank ≥ 3 products; the batch axis (1 for constants) broadcasts too.
      const out = tf.matMul(x.rank === 2 ? tf.expandDims(x, 0) : x, y.rank === 2 ? tf.expandDims(y, 0) : y);
      return tf.reshape(out, [-1, ...node.output]);
    }
    case 'constant':
      return tf.expandDims(ctx.params.get(node.value), 0);
    case 'concat':
      return ins.length === 1 ? h : tf.concat(ins, node.axis + 1);
    case 'transpose':
      return tf.transpose(h, [0, ...node.layer.perm.map((p) => p + 1)]);
    case 'reshape':
      return tf.reshape(h, [h.shape[0]!, ...node.output]);
    case 'slice':
      return slice(node, h);
    case 'pad':
      return pad(node, h);
    case 'softmax':
      return softmax(h, node.axis + 1, node.layer.log);
  }
}

/** Runs every node of `graph` on `x` and returns the last node's output. */
export function execute(graph: Pick<CompiledGraph, 'nodes' | 'consumers'>, x: tf.Tensor, ctx: ExecContext): tf.Tensor {
  const values: tf.Tensor[] = [];
  // Readers left per tensor object (an op may pass its input through, so count by tensor).
  const uses = ctx.release ? new Map<tf.Tensor, number>() : null;
  for (const node of graph.nodes) {
    const ins = node.inputs.map((i) => (i === GRAPH_INPUT ? x : values[i]!));
    const out = run(node, ins, ctx);
    values[node.id] = out;
    if (uses) {
      uses.set(out, (uses.get(out) ?? 0) + graph.consumers[node.id]!);
      for (const t of ins) {
        if (t === x) continue;
        const left = uses.get(t)! - 1;
        uses.set(t, left);
        if (left === 0) t.dispose();
      }
    }
  }
  return values[graph.nodes.length - 1] ?? x;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The ANN activation functions (PReLU reads its slope from `params`). */
export function applyActivation(node: NodeOf<'activation'>, x: tf.Tensor, params?: ParamStore): tf.Tensor {
  const l = node.layer;
  switch (l.fn) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'clip':
      return tf.clipByValue(x, l.min ?? -3.4e38, l.max ?? 3.4e38);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'hardSigmoid':
      return tf.clipByValue(tf.add(tf.mul(x, l.alpha ?? 0.2), l.beta ?? 0.5), 0, 1);
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'hardSwish':
      // x · relu6(x + 3) / 6 (PyTorch, ONNX HardSwish).
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'leakyRelu':
      return tf.leakyRelu(x, l.alpha ?? 0.01);
    case 'prelu': {
      if (params === undefined || node.slope === null) throw new Error(`${node.path}: prelu needs its slope parameter`);
      const slope = params.get(node.slope);
      return tf.add(tf.relu(x), tf.mul(slope, tf.neg(tf.relu(tf.neg(x)))));
    }
    case 'elu': {
      const a = l.alpha ?? 1;
      return a === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(a, tf.sub(tf.exp(tf.minimum(x, 0)), 1)));
    }
    case 'gelu':
      return l.approximate === 'tanh'
        ? tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))))
        : tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    case 'tanh':
      return tf.tanh(x);
    case 'identity':
      return x;
  }
}
