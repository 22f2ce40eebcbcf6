/** `spikelite eval`: evaluate a checkpoint (ANN or SNN) on a dataset's test set (@spikelite/pipelines runnable models). */
import { assertFitsImages, checkpointTimesteps, measureRunnable, openCheckpoint, runnableFromCheckpoint, runnableReport } from '@spikelite/pipelines';
import type { RunReport } from '@spikelite/schemas';
import { intFlag, parseFlags, required } from '../args.js';
import { checkpointDataRef, openCheckpointData } from '../checkpoint-data.js';
import { DATA_FLAGS, dataHelp } from '../data-flags.js';
import { forFlag } from '../errors.js';
import { backendFlag, PROFILE_HELP, profileFlag, startEngine, stderrLog } from '../setup.js';

export const EVAL_HELP = `spikelite eval — evaluate a checkpoint on a test set

  --checkpoint DIR     a run directory (with latest.json) or a checkpoint directory
${dataHelp(23, 'the test set')}
                       (--transform: default the checkpoint's, the transform it was trained with)
  --timesteps T        override the SNN's timesteps
  --limit-test N       use the first N test images
  ${PROFILE_HELP}
  --backend B          tensorflow | wasm | cpu
  --json               print the RunReport JSON on stdout

Example: spikelite eval --checkpoint runs/diet/snn --limit-test 1000 --json`;

const FLAGS = {
  checkpoint: { type: 'string' }, ...DATA_FLAGS, timesteps: { type: 'string' }, 'limit-test': { type: 'string' },
  profile: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export async function evalCommand(argv: string[]): Promise<RunReport> {
  const { values: f } = parseFlags(argv, FLAGS);
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  const path = required('checkpoint', f.checkpoint);
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  const timesteps = intFlag('timesteps', f.timesteps, { min: 1 });
  const profile = await profileFlag(f.profile);
  backendFlag(f.backend);
  // The checkpoint is plain files: a wrong path fails before the engine starts.
  const ck = await forFlag('checkpoint', () => openCheckpoint(path));
  const T = checkpointTimesteps(ck, timesteps);
  const ref = checkpointDataRef(f, ck, { limitTest, timesteps: T }, log);
  await startEngine(f.backend, log);
  const data = await openCheckpointData(ref, ck, log);
  const model = await forFlag('checkpoint', () => runnableFromCheckpoint(ck, T));
  try {
    await forFlag('data', () => assertFitsImages(model, data.test, "the checkpoint's model", data.preprocess));
    const result = measureRunnable(model, data.test, { onProgress: (done, total) => log.progress(`evaluating ${done}/${total} images`, { value: done, total }) });
    log.info(`test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.images} images${result.spikesPerNeuron === null ? '' : `, ${result.spikesPerNeuron.toFixed(3)} spikes/neuron`}`);
    return runnableReport(model, result, { dataset: { name: data.name, trainSize: 0, testSize: data.test.count }, profile, wallMs: performance.now() - t0, preprocess: data.preprocess });
  } finally {
    model.dispose();
    log.done();
  }
}
