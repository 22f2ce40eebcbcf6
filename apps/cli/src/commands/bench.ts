/**
 * `spikelite bench`: the workloads of shared/bench/BENCH.md, one JSON line each, with the
 * same fields as its PyTorch twin torch_ref.py so the two can be compared side by side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createEncoder } from '@spikelite/encoding';
import { createRng } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { ModelSpec, parseWith, type LayerInput } from '@spikelite/schemas';
import { snnTarget, createOptimizer } from '@spikelite/training';
import { choiceFlag, intFlag, parseFlags } from '../args.js';
import { startEngine, stderrLog, type Log } from '../setup.js';

export const BENCH_HELP = `spikelite bench — speed of the shared benchmark workloads (shared/bench/BENCH.md)

  --workload W   fmnist-small-T5 | cifar-vgg9-T5 (default: both)
  --steps N      timed training steps after one warm-up (default 5)
  --backend B    tensorflow | wasm | cpu
  --json         (accepted; output is always JSON lines)

Prints one JSON line per workload on stdout: workload, engine, threads, train_ms_per_step, batch,
infer_images_per_s. threads is what ran: the wasm module's thread count (getThreadsCount of
tfjs-backend-wasm), 1 for cpu (JavaScript on the main thread), null for tensorflow (libtensorflow
sizes its own thread pool). Progress goes to stderr (a bar on a terminal without --json).

Example: spikelite bench --workload fmnist-small-T5 --steps 5`;

interface Workload { plan: Array<number | 'P'>; inCh: number; hw: number; hidden: number; classes: number; T: number; batch: number }
export const WORKLOADS: Record<string, Workload> = {
  'fmnist-small-T5': { plan: [32, 'P', 64, 'P'], inCh: 1, hw: 28, hidden: 128, classes: 10, T: 5, batch: 64 },
  'cifar-vgg9-T5': { plan: [64, 64, 'P', 128, 128, 'P', 256, 256, 256, 'P'], inCh: 3, hw: 32, hidden: 1024, classes: 10, T: 5, batch: 32 },
};

export function workloadSpec(w: Workload): ModelSpec {
  const layers: LayerInput[] = w.plan.flatMap((p): LayerInput[] =>
    p === 'P' ? [{ kind: 'avgPool', poolSize: 2 }] : [{ kind: 'conv2d', filters: p, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }],
  );
  layers.push({ kind: 'flatten' }, { kind: 'linear', units: w.hidden }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: w.classes });
  return parseWith(ModelSpec, { input: { channels: w.inCh, height: w.hw, width: w.hw }, classes: w.classes, layers }, 'workload');
}

/** The threads the backend computes on, as far as it says: not a setting, what ran. */
export function threadsOf(backend: string): number | null {
  if (backend === 'wasm') return getThreadsCount();
  if (backend === 'cpu') return 1;
  return null;
}

async function runWorkload(name: string, w: Workload, steps: number, backend: string, log: Log): Promise<object> {
  const net = Network.create(workloadSpec(w), { seed: 0 });
  const snn = new SnnModel(net, {
    timesteps: w.T,
    neuron: { kind: 'lif', leak: 1, threshold: 1, trainLeak: true, trainThreshold: true, granularity: 'layer', reset: 'soft', order: 'current', leakMax: 1, leakMin: null, surrogate: { kind: 'linear', gamma: 0.3 } },
    encoder: createEncoder({ kind: 'direct' }, { timesteps: w.T }),
  });
  // BENCH.md: the output membrane averaged over T into softmax CE; Adam lr 1e-3.
  const target = snnTarget(snn, { kind: 'ce', on: 'mean', labelSmoothing: 0 });
  const trainable = target.trainable();
  const vars = [...trainable.values()];
  const names = [...trainable.keys()];
  const opt = createOptimizer({ kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0 });
  const rng = createRng(0);
  const x = tf.randomUniform([w.batch, w.hw, w.hw, w.inCh], 0, 1, 'float32', 1);
  const y = tf.tensor1d(Array.from({ length: w.batch }, () => rng.int(w.classes)), 'int32');
  const step = (): void => {
    const { value, grads } = tf.variableGrads(() => target.lossAndPrediction(x, y, rng).loss, vars);
    opt.apply(vars, names, vars.map((v) => grads[v.name]!), 1e-3);
    target.constrain();
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const total = steps + 1;
  log.progress(`${name}: warm-up step`, { value: 0, total });
  step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    log.progress(`${name}: timed step ${i + 1}/${steps}`, { value: i + 1, total });
    step();
  }
  log.progress(`${name}: inference`, { value: total, total });
  const trainMs = (performance.now() - t0) / steps;

  const xi = tf.randomUniform([256, w.hw, w.hw, w.inCh], 0, 1, 'float32', 2);
  const infer = (): void => {
    const out = tf.tidy(() => snn.forward(xi, { release: true }).logits);
    out.dataSync();
    out.dispose();
  };
  infer();
  const t1 = performance.now();
  infer();
  const inferMs = performance.now() - t1;
  tf.dispose([x, y, xi]);
  opt.dispose();
  snn.dispose();
  net.dispose();
  return {
    workload: name, engine: `spikelite-tfjs-${tf.version_core}-${backend}`, threads: threadsOf(backend),
    train_ms_per_step: +trainMs.toFixed(1), batch: w.batch, infer_images_per_s: +((256 / inferMs) * 1000).toFixed(1),
  };
}

export async function benchCommand(argv: string[]): Promise<null> {
  const { values: f } = parseFlags(argv, { workload: { type: 'string' }, steps: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } as const);
  const names = Object.keys(WORKLOADS);
  const chosen = f.workload === undefined ? names : [choiceFlag('workload', f.workload, names)!];
  const steps = intFlag('steps', f.steps, { min: 1, fallback: 5 })!;
  const log = stderrLog(f.json === true);
  const engine = await startEngine(f.backend, log);
  for (const name of chosen) {
    const line = JSON.stringify(await runWorkload(name, WORKLOADS[name]!, steps, engine.backend, log));
    log.done();
    process.stdout.write(`${line}\n`);
  }
  return null;
}
