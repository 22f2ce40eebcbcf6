/**
 * The BENCH.md workloads from the command line, one JSON line each:
 *   node dist/bench/main.js [--workload W[,W]] [--steps N] [--profile] [--threads N] [--spike-mode auto|dense] [--threshold θ] [--backend B]
 */
import { parseArgs } from 'node:util';
import { initEngine, type BackendName } from '@spikelite/engine';
import { runWorkload, WORKLOADS } from './workloads.js';

const { values } = parseArgs({
  options: {
    workload: { type: 'string' },
    steps: { type: 'string' },
    profile: { type: 'boolean' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    'spike-mode': { type: 'string' },
    threshold: { type: 'string' },
  },
  strict: true,
});
const engine = await initEngine(values.backend ? { backend: values.backend as BackendName } : {});
const names = values.workload ? values.workload.split(',') : Object.keys(WORKLOADS);
for (const name of names) {
  const r = await runWorkload(name, {
    steps: values.steps ? Number(values.steps) : 5,
    profile: values.profile === true,
    threads: values.threads ? Number(values.threads) : 1,
    spikeMode: (values['spike-mode'] ?? 'auto') as 'auto' | 'dense',
    ...(values.threshold ? { threshold: Number(values.threshold) } : {}),
    backend: engine.backend,
    progress: (m) => process.stderr.write(`${m}\n`),
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
