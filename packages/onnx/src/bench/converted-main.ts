/**
 * The converted-SNN inference workloads from the command line, one JSON line each:
 *   node dist/bench/converted-main.js [--workload fmnist-cnn-hybrid-infer,fmnist-cnn-general-infer]
 *     [--batch 256] [--repeat 3] [--latency-images 100] [--backend wasm]
 */
import { parseArgs } from 'node:util';
import { initEngine, type BackendName } from '@spikelite/engine';
import { benchConvertedInference, CONVERTED_WORKLOADS, type ConvertedWorkload } from './converted.js';

const { values } = parseArgs({
  options: { workload: { type: 'string' }, batch: { type: 'string' }, repeat: { type: 'string' }, 'latency-images': { type: 'string' }, backend: { type: 'string' } },
  strict: true,
});
await initEngine(values.backend ? { backend: values.backend as BackendName } : {});
const names = (values.workload ? values.workload.split(',') : [...CONVERTED_WORKLOADS]) as ConvertedWorkload[];
for (const n of names) if (!CONVERTED_WORKLOADS.includes(n)) throw new Error(`--workload: expected one of ${CONVERTED_WORKLOADS.join(', ')}, got '${n}'`);
await benchConvertedInference(
  names,
  {
    ...(values.batch ? { batch: Number(values.batch) } : {}),
    ...(values.repeat ? { repeat: Number(values.repeat) } : {}),
    ...(values['latency-images'] ? { latencyImages: Number(values['latency-images']) } : {}),
    progress: (m) => process.stderr.write(`${m}\n`),
  },
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
);
