/**
 * Data-parallel training steps on worker threads (tfjs-wasm runs one thread in Node): the
 * batch is cut into contiguous shards, the main thread computes the first and each worker
 * one more, each on its own replica of the target; the shard gradients are reduced once per
 * step, in shard order, into the full-batch gradient of the batch-mean loss, which the
 * caller's optimizer applies on the main thread. The main thread's weights are the only
 * ones that train: workers receive them after every update.
 *
 * Reproducible: a run with the same thread count, seed and data gives the same weights bit
 * for bit (shards, seeds and the reduction order are fixed). Shards draw their randomness
 * (dropout masks, stochastic encoders) from seeds taken from the batch's Rng in shard order,
 * so a 2-thread run is reproducible but not equal to a 1-thread run; with one thread the
 * trainer does not use this pool at all.
 *
 * Limits: the loss must be a mean over the batch (every loss here is). BatchNorm in training
 * mode normalises per shard (as PyTorch DDP without SyncBatchNorm) and only the main
 * thread's shard updates the running statistics.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, currentBackend, spikeKernelMode, type Rng } from '@spikelite/engine';
import type { TrainTarget } from '../target.js';
import type { FromWorker, ToWorker } from './messages.js';
import type { TargetRecipe } from './recipe.js';
import { reduceShards, shardSizes, weightedMean } from './shards.js';
import { readFlat, shardStep, type ShardResult } from './shard-step.js';

export interface ParallelOptions {
  /** Threads in all, the main thread included (≥ 2 to start workers). */
  threads: number;
  /** How a worker builds the same target. */
  recipe: TargetRecipe;
  /** The worker script (default: worker.js beside this module, or the package's dist build). */
  workerUrl?: URL;
}

export interface ParallelStep {
  /** The full-batch gradients, in the order of the variables given to `start`. */
  grads: tf.Tensor[];
  loss: number;
  hits: number;
  spikes: number;
  hasSpikes: boolean;
}

/** worker.js next to this file when running from dist; from TS sources (tests), the dist build. */
export function defaultWorkerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/parallel/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('training with threads > 1 needs the built worker script: run `pnpm build` (packages/training/dist/parallel/worker.js is missing)');
}

type Reply = Extract<FromWorker, { type: 'grads' | 'logits' }>;

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

class WorkerHandle {
  private pending: Pending | null = null;
  private readyWait: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private failed: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') this.readyWait?.resolve();
      else if (m.type === 'grads' || m.type === 'logits') this.pending?.resolve(m);
      else this.fail(new Error(`data-parallel worker failed: ${m.message}`));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`data-parallel worker exited with code ${code}`));
    });
  }

  private fail(e: Error): void {
    this.failed = e;
    this.readyWait?.reject(e);
    this.pending?.reject(e);
    this.pending = null;
  }

  init(m: ToWorker): Promise<void> {
    return new Promise((resolve, reject) => {
      this.readyWait = { resolve, reject };
      this.worker.postMessage(m);
    });
  }

  request<R extends Reply>(m: Extract<ToWorker, { type: 'step' | 'predict' }>, transfer: ArrayBuffer[]): Promise<R> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending = { resolve: resolve as (r: Reply) => void, reject };
      this.worker.postMessage(m, transfer);
    });
  }
}

export class DataParallel {
  private weightsDirty = true;
  private stepId = 0;

  private constructor(
    private readonly target: TrainTarget,
    private readonly vars: tf.Variable[],
    private readonly workers: WorkerHandle[],
  ) {}

  /** Threads in use: the main thread and the workers. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Start `threads − 1` workers that build `recipe`'s target. `vars` are the main target's
   * trainable variables, keyed in the workers by `names` (the same order).
   */
  static async start(target: TrainTarget, vars: tf.Variable[], names: string[], options: ParallelOptions): Promise<DataParallel> {
    const n = Math.max(1, Math.floor(options.threads)) - 1;
    const url = n > 0 ? (options.workerUrl ?? defaultWorkerUrl()) : null;
    // execArgv: [] so a worker never inherits a test runner's `--conditions source` (it runs built JS).
    const workers = Array.from({ length: n }, () => new WorkerHandle(new Worker(url!, { execArgv: [] })));
    const pool = new DataParallel(target, vars, workers);
    try {
      const state = [...target.state()].map(([name, v]) => ({ name, values: v.dataSync() as Float32Array }));
      const init: ToWorker = { type: 'init', recipe: options.recipe, backend: currentBackend(), spikeMode: spikeKernelMode(), names, state };
      await Promise.all(workers.map((w) => w.init(init)));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** The weights changed (after an optimizer update): send them with the next step. */
  markWeightsChanged(): void {
    this.weightsDirty = true;
  }

  /** One step's gradients over the batch (x, y): shard 0 here, the others on the workers. */
  async step(x: tf.Tensor, y: tf.Tensor, batchRng: Rng): Promise<ParallelStep> {
    const n = x.shape[0]!;
    const sizes = shardSizes(n, this.threads);
    const seeds = sizes.map(() => batchRng.nextUint32());
    const perImage = x.size / n;
    const xs = x.dataSync() as Float32Array;
    const ys = Int32Array.from(y.dataSync());
    const weights = this.weightsDirty && sizes.length > 1 ? readFlat(this.vars) : null;
    this.weightsDirty = false;
    const id = ++this.stepId;
    let start = sizes[0]!;
    const remote = sizes.slice(1).map((size, k) => {
      const xPart = xs.slice(start * perImage, (start + size) * perImage);
      const yPart = ys.slice(start, start + size);
      start += size;
      const w = weights === null ? null : k === sizes.length - 2 ? weights : weights.slice();
      const transfer = [xPart.buffer, yPart.buffer, ...(w ? [w.buffer] : [])] as ArrayBuffer[];
      return this.workers[k]!.request<Extract<Reply, { type: 'grads' }>>(
        { type: 'step', id, weights: w, x: xPart, xShape: [size, ...x.shape.slice(1)], y: yPart, seed: seeds[k + 1]! },
        transfer,
      );
    });
    const local = tf.tidy(() => {
      const x0 = tf.slice(x, 0, sizes[0]!);
      const y0 = tf.slice(y, 0, sizes[0]!);
      return { x0, y0 };
    });
    let mine: ShardResult;
    try {
      mine = shardStep(this.target, this.vars, local.x0, local.y0, createRng(seeds[0]!));
    } finally {
      tf.dispose([local.x0, local.y0]);
    }
    const results = [mine, ...(await Promise.all(remote))];
    const flat = reduceShards(results.map((r) => r.grads), sizes);
    let at = 0;
    const grads = this.vars.map((v) => {
      const g = tf.tensor(flat.subarray(at, at + v.size), v.shape);
      at += v.size;
      return g;
    });
    return {
      grads,
      loss: weightedMean(results.map((r) => r.loss), sizes),
      hits: results.reduce((a, r) => a + r.hits, 0),
      spikes: results.reduce((a, r) => a + r.spikes, 0),
      hasSpikes: mine.hasSpikes,
    };
  }

  /**
   * Logits of a batch without gradients, shards on the threads (inference). `logits(x)` runs
   * the main thread's shard.
   */
  async predict(x: tf.Tensor, logits: (x: tf.Tensor) => tf.Tensor): Promise<tf.Tensor> {
    const n = x.shape[0]!;
    const sizes = shardSizes(n, this.threads);
    const perImage = x.size / n;
    const xs = x.dataSync() as Float32Array;
    const weights = this.weightsDirty && sizes.length > 1 ? readFlat(this.vars) : null;
    this.weightsDirty = false;
    const id = ++this.stepId;
    let start = sizes[0]!;
    const remote = sizes.slice(1).map((size, k) => {
      const xPart = xs.slice(start * perImage, (start + size) * perImage);
      start += size;
      const w = weights === null ? null : k === sizes.length - 2 ? weights : weights.slice();
      return this.workers[k]!.request<Extract<Reply, { type: 'logits' }>>(
        { type: 'predict', id, weights: w, x: xPart, xShape: [size, ...x.shape.slice(1)] },
        [xPart.buffer as ArrayBuffer, ...(w ? [w.buffer as ArrayBuffer] : [])],
      );
    });
    const x0 = tf.slice(x, 0, sizes[0]!);
    let mine: tf.Tensor;
    try {
      mine = logits(x0);
    } finally {
      x0.dispose();
    }
    const others = await Promise.all(remote);
    const out = tf.tidy(() => tf.concat([mine, ...others.map((o) => tf.tensor(o.logits, o.shape))], 0));
    mine.dispose();
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.worker.once('exit', () => resolve());
            w.worker.postMessage({ type: 'close' } satisfies ToWorker);
            // A worker that does not close by itself is stopped.
            setTimeout(() => void w.worker.terminate(), 2000).unref();
          }),
      ),
    );
  }
}
