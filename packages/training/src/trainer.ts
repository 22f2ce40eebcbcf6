/**
 * The training loop: BPTT through the target's forward pass, one optimizer step per batch,
 * an evaluation and (optionally) an atomic checkpoint per epoch, progress events throughout.
 * All randomness (shuffling, dropout, stochastic encodings) flows from one seeded Rng whose
 * state is checkpointed, so a resumed run equals an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchCount, epochOrder, type ImageSet } from '@spikelite/data';
import { createRng, rngFromState, type Rng, type RngState } from '@spikelite/engine';
import type { EpochMetrics, TrainConfig } from '@spikelite/schemas';
import { saveCheckpoint, type CheckpointManifest, type LoadedCheckpoint, type TensorData } from './checkpoint.js';
import { correct, evaluate, toTensors, type EvalResult, type EvaluateOptions } from './evaluate.js';
import { createOptimizer } from './optimizer.js';
import { DataParallel, type ParallelOptions } from './parallel/pool.js';
import { learningRate } from './schedule.js';
import type { TrainTarget } from './target.js';

export type TrainEvent =
  | { type: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number; accuracy: number; spikesPerNeuron: number | null; lr: number; etaMs: number }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'checkpoint'; epoch: number; dir: string };

export interface TrainOptions {
  target: TrainTarget;
  train: ImageSet;
  test: ImageSet;
  config: TrainConfig;
  /** Where checkpoints go; none are written without it. */
  runDir?: string;
  /** Continue from this checkpoint (weights, optimizer, epoch and Rng are restored). */
  resume?: LoadedCheckpoint;
  /** Fields of the checkpoint manifest that describe the model (spec, method, ..., and the image preprocessing it expects). */
  describe: Pick<CheckpointManifest, 'spec' | 'method' | 'neuron' | 'encoding' | 'preprocess'>;
  onEvent?: (e: TrainEvent) => void;
  /** Emit a batch event every N batches (default 10). */
  progressEvery?: number;
  evalBatchSize?: number;
  /** What the per-epoch evaluations measure beyond accuracy and spikes (see `evaluate`). */
  evaluation?: Pick<EvaluateOptions, 'maxSpikesPerNeuron'>;
  /**
   * Data-parallel training on worker threads (parallel/pool.ts): `threads` in all and a
   * recipe the workers build the same target from. With threads ≤ 1 (the default) the
   * trainer runs in this thread alone, bit for bit as without this option.
   */
  parallel?: ParallelOptions;
}

export interface TrainResult {
  metrics: EpochMetrics[];
  final: EvalResult;
  epochsRun: number;
  /** Threads the training steps ran on (1 unless `parallel` started workers). */
  threads: number;
}

function snapshot(vars: Map<string, tf.Variable>, extra: Map<string, tf.Tensor>): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const [k, v] of [...vars, ...extra]) out.set(k, { shape: v.shape, values: v.dataSync() as Float32Array });
  return out;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { target, config } = options;
  const trainable = target.trainable();
  const names = [...trainable.keys()];
  const vars = [...trainable.values()];
  const optimizer = createOptimizer(config.optimizer);
  let rng: Rng = createRng(config.seed);
  let startEpoch = 0;
  let metrics: EpochMetrics[] = [];

  if (options.resume) {
    const { manifest, tensors } = options.resume;
    const state = target.state();
    for (const [name, v] of state) {
      const t = tensors.get(name);
      if (t === undefined) throw new Error(`${options.resume.dir}: checkpoint has no tensor '${name}' (a different model?)`);
      if (t.values.length !== v.size) throw new Error(`${options.resume.dir}: tensor '${name}' has ${t.values.length} values, the model needs ${v.size}`);
      v.assign(tf.tensor(t.values, v.shape));
    }
    if (manifest.optimizer) {
      const slots = new Map<string, tf.Tensor>();
      for (const n of manifest.optimizer.tensorNames) {
        const t = tensors.get(n)!;
        slots.set(n.slice('optimizer/'.length), tf.tensor(t.values, [...t.shape]));
      }
      optimizer.load(manifest.optimizer.step, slots);
      tf.dispose([...slots.values()]);
    }
    rng = rngFromState(manifest.rng as RngState);
    startEpoch = manifest.epoch;
    metrics = [...(manifest.metrics ?? [])];
  }

  const bs = config.batchSize;
  const batches = batchCount(options.train.count, bs, false);
  const every = options.progressEvery ?? 10;
  const t0 = performance.now();
  let stepsDone = 0;
  const totalSteps = (config.epochs - startEpoch) * batches;
  let lastEval: EvalResult | null = null;
  const pool = options.parallel && options.parallel.threads > 1 ? await DataParallel.start(target, vars, names, options.parallel) : null;
  try {
  for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
    const epochStart = performance.now();
    const lr = learningRate(config.schedule, config.optimizer.lr, epoch, config.epochs);
    const order = epochOrder(options.train.count, rng);
    let lossSum = 0;
    let hitSum = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      const { x, y, n } = toTensors(options.train, order, b, bs);
      const batchRng = createRng(rng.nextUint32());
      let hasSpikes = false;
      const { value, grads, hits, spikes } = pool
        ? await parallelStep(pool, vars, x, y, batchRng, (h) => (hasSpikes = h))
        : tf.tidy((): { value: tf.Scalar; grads: tf.NamedTensorMap; hits: tf.Scalar; spikes: tf.Scalar } => {
        // variableGrads frees everything but the loss: metrics are computed, and kept, inside.
        let hits: tf.Scalar | null = null;
        let spikes: tf.Scalar | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const out = target.lossAndPrediction(x, y, batchRng);
          hits = tf.keep(correct(out.prediction.logits, y));
          hasSpikes = out.prediction.spikeCounts !== null;
          spikes = tf.keep(out.prediction.spikeCounts ? (tf.sum(out.prediction.spikeCounts) as tf.Scalar) : tf.scalar(0));
          return out.loss;
        }, vars);
        return { value, grads, hits: hits!, spikes: spikes! };
      });
      optimizer.apply(vars, names, vars.map((v) => grads[v.name]!), lr);
      target.constrain();
      pool?.markWeightsChanged();
      const lossValue = value.dataSync()[0]!;
      if (!Number.isFinite(lossValue)) throw new Error(`training diverged: loss is ${lossValue} at epoch ${epoch + 1}, batch ${b + 1}; lower the learning rate`);
      lossSum += lossValue * n;
      hitSum += hits.dataSync()[0]!;
      seen += n;
      stepsDone++;
      if (options.onEvent && (b % every === every - 1 || b === batches - 1)) {
        const elapsed = performance.now() - t0;
        const totalNeurons = target.neuronsPerLayer().reduce((a, c) => a + c, 0);
        const spn = hasSpikes ? spikes.dataSync()[0]! / (totalNeurons * n) : null;
        options.onEvent({
          type: 'batch', epoch: epoch + 1, epochs: config.epochs, batch: b + 1, batches,
          loss: lossSum / seen, accuracy: hitSum / seen, spikesPerNeuron: spn, lr,
          etaMs: (elapsed / stepsDone) * (totalSteps - stepsDone),
        });
      }
      tf.dispose([x, y, value, hits, spikes, ...Object.values(grads)]);
    }
    const ev = evaluate(target, options.test, { ...options.evaluation, batchSize: options.evalBatchSize });
    lastEval = ev;
    const m: EpochMetrics = {
      epoch: epoch + 1, trainLoss: lossSum / seen, trainAccuracy: hitSum / seen, testAccuracy: ev.accuracy, lr,
      wallMs: performance.now() - epochStart,
      ...(ev.spikesPerNeuron !== null ? { spikesPerNeuron: ev.spikesPerNeuron } : {}),
    };
    metrics.push(m);
    options.onEvent?.({ type: 'epoch', metrics: m });
    const last = epoch + 1 === config.epochs;
    if (options.runDir && (last || (config.checkpointEvery > 0 && (epoch + 1) % config.checkpointEvery === 0))) {
      const slots = new Map<string, tf.Tensor>();
      for (const [k, v] of optimizer.state()) slots.set(`optimizer/${k}`, v);
      const dir = await saveCheckpoint(
        options.runDir,
        {
          ...options.describe,
          train: config,
          epoch: epoch + 1,
          step: optimizer.step,
          rng: [...rng.state()] as [number, number, number, number],
          optimizer: { kind: config.optimizer.kind, step: optimizer.step, tensorNames: [...slots.keys()] },
          metrics,
        },
        snapshot(target.state(), slots),
      );
      options.onEvent?.({ type: 'checkpoint', epoch: epoch + 1, dir });
    }
  }
  } finally {
    await pool?.close();
  }
  optimizer.dispose();
  const final = lastEval ?? evaluate(target, options.test, { ...options.evaluation, batchSize: options.evalBatchSize });
  return { metrics, final, epochsRun: config.epochs - startEpoch, threads: pool?.threads ?? 1 };
}

/** The pool's step in the shape of the serial step's results (tensors the loop disposes). */
async function parallelStep(
  pool: DataParallel,
  vars: tf.Variable[],
  x: tf.Tensor,
  y: tf.Tensor,
  batchRng: Rng,
  onSpikes: (has: boolean) => void,
): Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap; hits: tf.Scalar; spikes: tf.Scalar }> {
  const r = await pool.step(x, y, batchRng);
  onSpikes(r.hasSpikes);
  const grads: tf.NamedTensorMap = {};
  vars.forEach((v, i) => (grads[v.name] = r.grads[i]!));
  return { value: tf.scalar(r.loss), grads, hits: tf.scalar(r.hits), spikes: tf.scalar(r.spikes) };
}
