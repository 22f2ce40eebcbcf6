/**
 * Running an exported SNN in onnxruntime-node, and the agreement check against
 * `snn.forward` on the same images (what the CLI's `export`, the tests and the bench use).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { currentBackend } from '@spikelite/engine';
import type { SnnModel } from '@spikelite/models';
import { SNN_EXPORT_INPUT, SNN_EXPORT_OUTPUTS } from './snn.js';

export interface SnnOnnxOutputs {
  /** [N, classes] row-major. */
  logits: Float32Array;
  /** [N, layers] row-major: spikes per image of each neuron layer over all steps; null when not exported. */
  spikes: Float32Array | null;
}

/** An onnxruntime session on an exported SNN (reuse it across batches; release it at the end). */
export class SnnOnnxSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** `threads`: intra-op threads (default 1: the machines are shared). */
  static async create(bytes: Uint8Array, options: { threads?: number } = {}): Promise<SnnOnnxSession> {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 });
    return new SnnOnnxSession(session);
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** `images`: NCHW float32 pixels, `shape` [N, C, H, W]. */
  async run(images: Float32Array, shape: readonly number[]): Promise<SnnOnnxOutputs> {
    const out = await this.session.run({ [SNN_EXPORT_INPUT]: new ort.Tensor('float32', images, [...shape]) });
    const logits = out[SNN_EXPORT_OUTPUTS.logits];
    if (logits === undefined) throw new Error(`SnnOnnxSession: the model has no '${SNN_EXPORT_OUTPUTS.logits}' output`);
    const spikes = out[SNN_EXPORT_OUTPUTS.spikes];
    return { logits: Float32Array.from(logits.data as Float32Array), spikes: spikes ? Float32Array.from(spikes.data as Float32Array) : null };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export interface SnnForwardOutputs {
  /** [N, classes] row-major. */
  logits: Float32Array;
  /** [N, layers] row-major: spikes per image of each neuron layer over all steps (the ONNX `spikes` output). */
  spikes: Float32Array;
}

/** spikelite's own inference on NCHW images (transposed to NHWC here), with spikes counted per image. */
export function forwardSnnNchw(snn: SnnModel, images: Float32Array, shape: readonly number[]): SnnForwardOutputs {
  const [n, c, h, w] = shape as [number, number, number, number];
  const layers = snn.neurons.length;
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(images, [n, c, h, w]), [0, 2, 3, 1]));
  const perImage: tf.Tensor[][] = snn.neurons.map(() => []);
  try {
    const r = snn.forward(x, {
      release: true,
      // Runs inside the step's tidy: keep only the [N] counts.
      onSpikes: (layer, _t, s) => perImage[layer]!.push(tf.keep(tf.sum(s, s.shape.slice(1).map((_, i) => i + 1)))),
    });
    const logits = Float32Array.from(r.logits.dataSync());
    const spikes = new Float32Array(n * layers);
    perImage.forEach((steps, l) => {
      const total = tf.tidy(() => tf.addN(steps));
      total.dataSync().forEach((v, i) => (spikes[i * layers + l] = v));
      total.dispose();
    });
    tf.dispose(r as unknown as tf.TensorContainer); // every tensor of the result
    return { logits, spikes };
  } finally {
    tf.dispose(perImage.flat());
    x.dispose();
  }
}

export interface SnnParityOptions {
  /** Relative logit tolerance (of onnxruntime's logit range); default 1e-4. */
  tolerance?: number;
  /** Images per run (default 64). */
  batchSize?: number;
  threads?: number;
}

export interface SnnParityResult {
  backend: string;
  images: number;
  timesteps: number;
  /** max |onnxruntime − spikelite| over all logits. */
  maxAbsDiff: number;
  outputRange: { min: number; max: number; span: number };
  relativeDiff: number;
  top1Agreement: number;
  /**
   * Spikes per neuron layer over all images and steps. `differing`: Σ over images and layers
   * of |onnx − spikelite| per-image counts (0 when every image's counts agree); `total`: all spikelite spikes.
   */
  spikes: { onnx: number[]; spikelite: number[]; differing: number; total: number };
  /** relativeDiff ≤ tolerance. */
  ok: boolean;
  tolerance: number;
}

const argmax = (v: Float32Array, row: number, k: number): number => {
  let best = 0;
  for (let c = 1; c < k; c++) if (v[row * k + c]! > v[row * k + best]!) best = c;
  return best;
};

/**
 * The exported model (`bytes`) under onnxruntime against `snn.forward` on the same NCHW
 * images: logits (max abs difference relative to the logit range, top-1 agreement) and spike
 * counts per layer.
 */
export async function checkSnnParity(
  snn: SnnModel,
  bytes: Uint8Array,
  images: { data: Float32Array; shape: readonly number[] },
  options: SnnParityOptions = {},
): Promise<SnnParityResult> {
  const [n, c, h, w] = images.shape as [number, number, number, number];
  const per = c * h * w;
  const bs = options.batchSize ?? 64;
  const layers = snn.neurons.length;
  // A feature-map output: top-1 over each image's whole output.
  const classes = snn.network.spec.classes ?? (n > 0 ? 0 : 1);
  const session = await SnnOnnxSession.create(bytes, options.threads === undefined ? {} : { threads: options.threads });
  const onnxSpikes = new Array<number>(layers).fill(0);
  const ourSpikes = new Array<number>(layers).fill(0);
  let min = Infinity;
  let max = -Infinity;
  let maxAbsDiff = 0;
  let agree = 0;
  let differing = 0;
  try {
    for (let start = 0; start < n; start += bs) {
      const m = Math.min(bs, n - start);
      const batch = images.data.subarray(start * per, (start + m) * per);
      const shape = [m, c, h, w];
      const ref = await session.run(batch, shape);
      const ours = forwardSnnNchw(snn, batch, shape);
      if (ref.logits.length !== ours.logits.length) {
        throw new Error(`checkSnnParity: onnxruntime gave ${ref.logits.length} logits, spikelite ${ours.logits.length}`);
      }
      ref.logits.forEach((r, i) => {
        min = Math.min(min, r);
        max = Math.max(max, r);
        const d = Math.abs(r - ours.logits[i]!);
        maxAbsDiff = Number.isNaN(d) ? NaN : Math.max(maxAbsDiff, d);
      });
      const k = classes > 0 ? classes : ref.logits.length / m;
      for (let i = 0; i < m; i++) if (argmax(ref.logits, i, k) === argmax(ours.logits, i, k)) agree++;
      for (let i = 0; i < m * layers; i++) {
        const r = ref.spikes?.[i] ?? NaN;
        const o = ours.spikes[i]!;
        onnxSpikes[i % layers]! += r;
        ourSpikes[i % layers]! += o;
        differing += Math.abs(r - o);
      }
    }
  } finally {
    await session.release();
  }
  const span = max - min;
  const relativeDiff = span > 0 ? maxAbsDiff / span : maxAbsDiff === 0 ? 0 : Infinity;
  const tolerance = options.tolerance ?? 1e-4;
  return {
    backend: currentBackend(),
    images: n,
    timesteps: snn.timesteps,
    maxAbsDiff,
    outputRange: { min, max, span },
    relativeDiff,
    top1Agreement: agree / Math.max(n, 1),
    spikes: {
      onnx: onnxSpikes,
      spikelite: ourSpikes,
      differing,
      total: ourSpikes.reduce((a, v) => a + v, 0),
    },
    ok: relativeDiff <= tolerance,
    tolerance,
  };
}
