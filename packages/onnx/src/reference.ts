/**
 * An onnxruntime reference session: an ONNX model opened once and run on spikelite's image
 * layout (NHWC, as @spikelite/data loads images), batch after batch. The images are put in
 * the model's layout here: [N, C, H, W], or [N, C·H·W] in (c, h, w) order for a flat-input
 * model (what PyTorch's flatten of an NCHW image gives).
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { withoutFinalSoftmax } from './parity.js';

/** Images in spikelite's layout: `count` × H × W × C floats (an @spikelite/data ImageSet fits). */
export interface NhwcImages {
  readonly images: Float32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface ReferenceOptions {
  /** onnxruntime intra-op threads (default 1: the machines are shared; results do not depend on it). */
  threads?: number;
  /** Take a final Softmax/LogSoftmax off the model so the outputs are logits (default true). */
  logits?: boolean;
  /** The model takes (x − mean[c]) / std[c] of the images (torchvision's Normalize; one value = every channel). */
  normalize?: { readonly mean: readonly number[]; readonly std: readonly number[] } | null;
}

export interface ReferenceOutput {
  output: Float32Array;
  shape: number[];
}

/** NHWC images `from` … `from + count − 1` → NCHW floats (also the (c, h, w) order of a flat-input model). */
export function nhwcToNchw(set: NhwcImages, from = 0, count = set.count - from): Float32Array {
  const { height: H, width: W, channels: C } = set;
  if (C === 1) return Float32Array.from(set.images.subarray(from * H * W, (from + count) * H * W));
  const out = new Float32Array(count * C * H * W);
  for (let n = 0; n < count; n++) {
    const base = (from + n) * H * W * C;
    for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) out[(n * C + c) * H * W + i] = set.images[base + i * C + c]!;
  }
  return out;
}

function argmaxRows(v: Float32Array, rows: number, classes: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (v[r * classes + c]! > v[r * classes + best]!) best = c;
    out[r] = best;
  }
  return out;
}

export class OnnxReference {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
    /** The model's input shape: numbers for fixed dimensions, names for symbolic ones. */
    readonly inputShape: ReadonlyArray<number | string>,
    private readonly normalize: ReferenceOptions['normalize'] = null,
  ) {}

  /** Open `source` (a file path or the model's bytes) once. */
  static async open(source: string | Uint8Array, options: ReferenceOptions = {}): Promise<OnnxReference> {
    const raw = typeof source === 'string' ? readFileSync(source) : source;
    const bytes = options.logits === false ? raw : withoutFinalSoftmax(raw);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 });
    const input = session.inputMetadata[0];
    const outputName = session.outputNames[0];
    if (input === undefined || outputName === undefined) {
      await session.release();
      throw new Error('OnnxReference: the model has no input or output');
    }
    return new OnnxReference(session, input.name, outputName, input.isTensor ? input.shape : [], options.normalize ?? null);
  }

  /** The model's fixed batch size, or null when the batch dimension is symbolic. */
  get fixedBatch(): number | null {
    const n = this.inputShape[0];
    return typeof n === 'number' && n > 0 ? n : null;
  }

  /** The model's first output for one input already in its own layout (`shape` as the model's input). */
  async runRaw(input: Float32Array, shape: readonly number[]): Promise<ReferenceOutput> {
    const result = await this.session.run({ [this.inputName]: new ort.Tensor('float32', input, [...shape]) });
    const out = result[this.outputName];
    if (out === undefined || out.type !== 'float32') throw new Error(`OnnxReference: output '${this.outputName}' is not float32`);
    return { output: Float32Array.from(out.data as Float32Array), shape: out.dims.map(Number) };
  }

  /** Outputs for NHWC images `from` … `from + count − 1` of `set`. */
  async run(set: NhwcImages, from = 0, count = set.count - from): Promise<ReferenceOutput> {
    const { channels: C, height: H, width: W } = set;
    const flat = this.inputShape.length === 2;
    const x = nhwcToNchw(set, from, count);
    const norm = this.normalize;
    if (norm) {
      const at = (v: readonly number[], c: number): number => v[v.length === 1 ? 0 : c]!;
      for (let i = 0; i < x.length; i++) {
        const c = Math.floor(i / (H * W)) % C;
        x[i] = (x[i]! - at(norm.mean, c)) / at(norm.std, c);
      }
    }
    return this.runRaw(x, flat ? [count, C * H * W] : [count, C, H, W]);
  }

  /**
   * Top-1 class of every image of `set`, in batches of `batchSize` (of the model's fixed batch,
   * the last one padded with zero images, when it has one).
   */
  async predict(set: NhwcImages, batchSize = 500): Promise<Int32Array> {
    const out = new Int32Array(set.count);
    const fixed = this.fixedBatch;
    const bs = fixed ?? batchSize;
    const perImage = set.height * set.width * set.channels;
    for (let i = 0; i < set.count; i += bs) {
      const n = Math.min(bs, set.count - i);
      let batch: NhwcImages = set;
      let from = i;
      if (fixed !== null && n < fixed) {
        const padded = new Float32Array(fixed * perImage);
        padded.set(set.images.subarray(i * perImage, (i + n) * perImage));
        batch = { ...set, images: padded, count: fixed };
        from = 0;
      }
      const { output, shape } = await this.run(batch, from, fixed ?? n);
      const classes = shape[shape.length - 1]!;
      out.set(argmaxRows(output, n, classes), i);
    }
    return out;
  }

  /** Top-1 accuracy on `set` against its labels. */
  async accuracy(set: NhwcImages & { readonly labels: ArrayLike<number> }, batchSize = 500): Promise<number> {
    const predicted = await this.predict(set, batchSize);
    let hits = 0;
    predicted.forEach((p, i) => (hits += p === set.labels[i] ? 1 : 0));
    return set.count === 0 ? 0 : hits / set.count;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
