/**
 * The training/inference workloads of shared/bench/BENCH.md (`fmnist-small-T5`,
 * `cifar-vgg9-T5`), with the same fields as their PyTorch twin torch_ref.py, so the two can
 * be compared side by side. `benchWorkloads` prints (through `emit`) one JSON line per
 * workload; with `profile` it also times every kernel of one training step
 * (@spikelite/engine's profileKernels) and adds the table to the line.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {
  byCategory,
  createRng,
  profileKernels,
  resetSpikeKernelStats,
  setSpikeKernelMode,
  spikeKernelMode,
  spikeKernelStats,
  type KernelProfile,
  type SpikeKernelMode,
  type SpikeKernelStats,
} from '@spikelite/engine';
import { ModelSpec, parseWith, type LayerInput, type NeuronSpec, type OptimizerSpec } from '@spikelite/schemas';
import { createOptimizer } from '../optimizer.js';
import { DataParallel } from '../parallel/pool.js';
import { buildTarget, type TargetRecipe } from '../parallel/recipe.js';

/** CPU time of this process (all threads), ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function loadAverage(): number {
  return +loadavg()[0]!.toFixed(2);
}

/** Per spike-kernel part: calls on each path and the density of the operand it measured. */
export type SpikeSummary = Record<keyof SpikeKernelStats, { sparse: number; dense: number; density: number | null }>;

export function spikeKernelSummary(): SpikeSummary {
  const s = spikeKernelStats();
  const part = (p: SpikeKernelStats['forward']) => ({ sparse: p.sparse, dense: p.dense, density: p.elements > 0 ? +(p.events / p.elements).toFixed(4) : null });
  return { forward: part(s.forward), filter: part(s.filter), input: part(s.input) };
}

export interface Workload {
  plan: Array<number | 'P'>;
  inCh: number;
  hw: number;
  hidden: number;
  classes: number;
  T: number;
  batch: number;
}

export const WORKLOADS: Record<string, Workload> = {
  'fmnist-small-T5': { plan: [32, 'P', 64, 'P'], inCh: 1, hw: 28, hidden: 128, classes: 10, T: 5, batch: 64 },
  'cifar-vgg9-T5': { plan: [64, 64, 'P', 128, 128, 'P', 256, 256, 256, 'P'], inCh: 3, hw: 32, hidden: 1024, classes: 10, T: 5, batch: 32 },
};

/** BENCH.md's LIF: one trainable leak and threshold per layer, soft reset, a surrogate gradient. */
export const WORKLOAD_NEURON: NeuronSpec = {
  kind: 'lif', leak: 1, threshold: 1, trainLeak: true, trainThreshold: true, granularity: 'layer', reset: 'soft',
  order: 'current', initialPotential: 0, leakMax: 1, leakMin: null, surrogate: { kind: 'linear', gamma: 0.3 },
};
export const WORKLOAD_OPTIMIZER: OptimizerSpec = { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0 };

export function workloadSpec(w: Workload): ModelSpec {
  const layers: LayerInput[] = w.plan.flatMap((p): LayerInput[] =>
    p === 'P' ? [{ kind: 'avgPool', poolSize: 2 }] : [{ kind: 'conv2d', filters: p, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }],
  );
  layers.push({ kind: 'flatten' }, { kind: 'linear', units: w.hidden }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: w.classes });
  return parseWith(ModelSpec, { input: { channels: w.inCh, height: w.hw, width: w.hw }, classes: w.classes, layers }, 'workload');
}

export interface WorkloadOptions {
  /** Timed training steps after one warm-up step (BENCH.md: 5). */
  steps?: number;
  /** Also time every kernel of one extra training step. */
  profile?: boolean;
  /** Progress lines (stderr in the CLI). */
  progress?: (message: string) => void;
  backend?: string;
  /** Threads in all (data-parallel shards on worker threads when > 1); default 1. */
  threads?: number;
  /**
   * The engine's spike-kernel mode for the run: 'auto' (default: event-driven or dense by
   * density) or 'dense' (every layer dense: the figure without event-driven execution).
   */
  spikeMode?: SpikeKernelMode;
  /**
   * θ of the LIF neurons instead of BENCH.md's 1. At θ = 1 the freshly initialised networks
   * are nearly silent past the first layer (1–2 % input density, gradients gated to < 0.1 %),
   * the best case for event-driven execution; a lower θ shows the cost at higher activity.
   */
  threshold?: number;
}

export interface WorkloadResult {
  workload: string;
  engine: string;
  /** Threads really used (1 + worker threads started). */
  threads: number;
  train_ms_per_step: number;
  batch: number;
  infer_images_per_s: number;
  /** The engine's spike-kernel mode the figures were taken with. */
  spike_mode: SpikeKernelMode;
  /** θ when not BENCH.md's 1. */
  threshold?: number;
  /**
   * The same figures in CPU time of this process (user + system): on a loaded machine they
   * move less than wall time. Equal to wall time on an idle machine with one thread.
   */
  train_cpu_ms_per_step: number;
  infer_cpu_images_per_s: number;
  /** 1-minute load average when the workload ended. */
  load_average: number;
  /** What the engine's spike kernels did over the timed training steps and the timed inference. */
  spike_kernels: { train: SpikeSummary; infer: SpikeSummary };
  profile?: { categories: ReturnType<typeof byCategory>; phases: KernelProfile['phases']; kernel_ms: number; wall_ms: number; kernels: KernelProfile['rows'] };
}

/**
 * The workload as a recipe (the main thread and data-parallel workers build it alike).
 * `threshold` overrides BENCH.md's θ = 1 (a lower one makes the network fire more).
 */
export function workloadRecipe(w: Workload, threshold?: number): TargetRecipe {
  const neurons = threshold === undefined ? WORKLOAD_NEURON : { ...WORKLOAD_NEURON, threshold } as NeuronSpec;
  // BENCH.md: direct input; the output membrane averaged over T into softmax CE.
  return { kind: 'snn', spec: workloadSpec(w), timesteps: w.T, neurons, encoding: { kind: 'direct' }, loss: { kind: 'ce', on: 'mean', labelSmoothing: 0 } };
}

/**
 * One workload: the mean training step over `steps` after a warm-up (Adam, lr 1e-3), then
 * inference of 256 images after a warm-up batch; with `threads` > 1 both run data-parallel.
 */
export async function runWorkload(name: string, options: WorkloadOptions = {}): Promise<WorkloadResult> {
  const w = WORKLOADS[name];
  if (w === undefined) throw new Error(`unknown workload '${name}' (expected one of ${Object.keys(WORKLOADS).join(', ')})`);
  const steps = options.steps ?? 5;
  const progress = options.progress ?? (() => {});
  const savedMode = spikeKernelMode();
  setSpikeKernelMode(options.spikeMode ?? 'auto');
  const recipe = workloadRecipe(w, options.threshold);
  const built = buildTarget(recipe);
  const { target } = built;
  const trainable = target.trainable();
  const vars = [...trainable.values()];
  const names = [...trainable.keys()];
  const opt = createOptimizer(WORKLOAD_OPTIMIZER);
  const rng = createRng(0);
  const x = tf.randomUniform([w.batch, w.hw, w.hw, w.inCh], 0, 1, 'float32', 1);
  const y = tf.tensor1d(Array.from({ length: w.batch }, () => rng.int(w.classes)), 'int32');
  const pool = (options.threads ?? 1) > 1 ? await DataParallel.start(target, vars, names, { threads: options.threads!, recipe }) : null;
  try {
    const apply = (grads: tf.Tensor[]) => {
      opt.apply(vars, names, grads, 1e-3);
      target.constrain();
      pool?.markWeightsChanged();
    };
    const step = async (mark?: (phase: string) => void): Promise<void> => {
      if (pool !== null && mark === undefined) {
        const r = await pool.step(x, y, rng);
        apply(r.grads);
        tf.dispose(r.grads);
        return;
      }
      const { value, grads } = tf.variableGrads(() => {
        const loss = target.lossAndPrediction(x, y, rng).loss;
        mark?.('backward');
        return loss;
      }, vars);
      mark?.('optimizer');
      apply(vars.map((v) => grads[v.name]!));
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    };
    progress(`${name}: warm-up step`);
    await step();
    resetSpikeKernelStats();
    const t0 = performance.now();
    const c0 = cpuMs();
    for (let i = 0; i < steps; i++) {
      progress(`${name}: timed step ${i + 1}/${steps}`);
      await step();
    }
    const trainMs = (performance.now() - t0) / steps;
    const trainCpuMs = (cpuMs() - c0) / steps;
    const trainSpikes = spikeKernelSummary();
    let profile: WorkloadResult['profile'];
    if (options.profile) {
      // The kernels of one step on this thread (with threads > 1, one serial step).
      progress(`${name}: profiled step`);
      const p = await profileKernels((mark) => step(mark), 'forward');
      profile = { categories: byCategory(p), phases: p.phases, kernel_ms: p.kernelMs, wall_ms: p.wallMs, kernels: p.rows };
    }

    progress(`${name}: inference`);
    const xi = tf.randomUniform([256, w.hw, w.hw, w.inCh], 0, 1, 'float32', 2);
    const infer = async (): Promise<void> => {
      const out = pool ? await pool.predict(xi, built.logits) : built.logits(xi);
      out.dataSync();
      out.dispose();
    };
    await infer();
    resetSpikeKernelStats();
    const t1 = performance.now();
    const c1 = cpuMs();
    await infer();
    const inferMs = performance.now() - t1;
    const inferCpuMs = cpuMs() - c1;
    const inferSpikes = spikeKernelSummary();
    tf.dispose([xi]);
    return {
      workload: name,
      engine: `spikelite-tfjs-${tf.version_core}-${options.backend ?? tf.getBackend()}`,
      threads: pool?.threads ?? 1,
      train_ms_per_step: +trainMs.toFixed(1),
      batch: w.batch,
      infer_images_per_s: +((256 / inferMs) * 1000).toFixed(1),
      spike_mode: spikeKernelMode(),
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      train_cpu_ms_per_step: +trainCpuMs.toFixed(1),
      infer_cpu_images_per_s: +((256 / inferCpuMs) * 1000).toFixed(1),
      load_average: loadAverage(),
      spike_kernels: { train: trainSpikes, infer: inferSpikes },
      ...(profile ? { profile } : {}),
    };
  } finally {
    await pool?.close();
    tf.dispose([x, y]);
    opt.dispose();
    built.dispose();
    setSpikeKernelMode(savedMode);
  }
}
