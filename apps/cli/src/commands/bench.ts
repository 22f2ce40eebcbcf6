/**
 * `spikelite bench`: the workloads of shared/bench/BENCH.md, one JSON line each, with the
 * same fields as its PyTorch twin torch_ref.py so the two can be compared side by side. The
 * workloads themselves live in the libraries (@spikelite/training/bench: training steps and
 * inference; @spikelite/onnx/bench: converted SNNs against onnxruntime).
 */
import { benchConvertedInference, CONVERTED_WORKLOADS, type ConvertedWorkload } from '@spikelite/onnx/bench';
import { runWorkload, WORKLOADS } from '@spikelite/training/bench';
import { choiceFlag, intFlag, numberFlag, parseFlags } from '../args.js';
import { startEngine, stderrLog } from '../setup.js';

export const BENCH_HELP = `spikelite bench — speed of the shared benchmark workloads (shared/bench/BENCH.md)

  --workload W     ${[...Object.keys(WORKLOADS), ...CONVERTED_WORKLOADS].join(' | ')} (default: all)
  --steps N        timed training steps after one warm-up (default 5)
  --threads N      threads in all for training: the batch in data-parallel shards on worker threads
                   (default 1; more needs the built packages, pnpm build)
  --profile        also time every kernel of one training step, grouped (forward conv, dx, dW, neurons,
                   copies, optimizer)
  --spike-mode M   auto (default: event-driven or dense per layer by the measured spike density) | dense
  --threshold θ    LIF threshold instead of BENCH.md's 1 (a lower one makes the networks more active)
  --backend B      tensorflow | wasm | cpu
  --json           (accepted; output is always JSON lines)

Prints one JSON line per workload on stdout. Training workloads: workload, engine, threads (the
threads that really ran), train_ms_per_step, batch, infer_images_per_s, spike_mode, CPU times,
the load average and spike statistics. Converted workloads (the shipped CNN as a hybrid or a
general SNN): snn_images_per_s, snn_dense_images_per_s, batch-1 latencies, the ANN in
onnxruntime-node (one thread), spikes per neuron and accuracy, and "runtime": the same SNN
in the event-driven runtime (compileSnn), event-driven and dense, with its speedups (null for
the general SNN, which it does not run). Progress goes to stderr.

Example: spikelite bench --workload fmnist-small-T5 --steps 5`;

export async function benchCommand(argv: string[]): Promise<null> {
  const { values: f } = parseFlags(argv, {
    workload: { type: 'string' }, steps: { type: 'string' }, threads: { type: 'string' }, profile: { type: 'boolean' },
    'spike-mode': { type: 'string' }, threshold: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  } as const);
  const names = [...Object.keys(WORKLOADS), ...CONVERTED_WORKLOADS];
  const chosen = f.workload === undefined ? names : [choiceFlag('workload', f.workload, names)!];
  const steps = intFlag('steps', f.steps, { min: 1, fallback: 5 })!;
  const threads = intFlag('threads', f.threads, { min: 1, fallback: 1 })!;
  const spikeMode = choiceFlag('spike-mode', f['spike-mode'], ['auto', 'dense'] as const, 'auto')!;
  const threshold = numberFlag('threshold', f.threshold, { positive: true });
  const log = stderrLog(f.json === true);
  const engine = await startEngine(f.backend, log);
  const emit = (row: object): void => {
    log.done();
    process.stdout.write(`${JSON.stringify(row)}\n`);
  };
  for (const name of chosen.filter((n) => n in WORKLOADS)) {
    emit(await runWorkload(name, {
      steps, threads, spikeMode, backend: engine.backend, profile: f.profile === true,
      ...(threshold !== undefined ? { threshold } : {}), progress: (m) => log.progress(m),
    }));
  }
  const converted = chosen.filter((n): n is ConvertedWorkload => (CONVERTED_WORKLOADS as readonly string[]).includes(n));
  if (converted.length > 0) await benchConvertedInference(converted, { progress: (m) => log.progress(m) }, emit);
  return null;
}
