/** `spikelite eval`: evaluate a checkpoint (ANN or SNN) on a dataset's test set. */
import type { RunReport } from '@spikelite/schemas';
import { evaluate } from '@spikelite/training';
import { intFlag, parseFlags, required } from '../args.js';
import { assertFitsData, buildCheckpointModel, checkpointTimesteps, hasGradedSpikes, measureInput, openCheckpoint } from '../checkpoint-model.js';
import { buildReport, PROFILE_HELP, profileFlag } from '../report.js';
import { backendFlag, openDataset, startEngine, stderrLog, withEvalProgress } from '../setup.js';

export const EVAL_HELP = `spikelite eval — evaluate a checkpoint on a test set

  --checkpoint DIR     a run directory (with latest.json) or a checkpoint directory
  --data <name|dir>    fashion-mnist (default), mnist, or a directory
  --timesteps T        override the SNN's timesteps
  --limit-test N       use the first N test images
  ${PROFILE_HELP}
  --backend B          tensorflow | wasm | cpu
  --json               print the RunReport JSON on stdout

Example: spikelite eval --checkpoint runs/diet/snn --limit-test 1000 --json`;

const FLAGS = {
  checkpoint: { type: 'string' }, data: { type: 'string' }, timesteps: { type: 'string' }, 'limit-test': { type: 'string' },
  profile: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export async function evalCommand(argv: string[]): Promise<RunReport | null> {
  const { values: f } = parseFlags(argv, FLAGS);
  if (f.help) {
    process.stdout.write(`${EVAL_HELP}\n`);
    return null;
  }
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  const path = required('checkpoint', f.checkpoint);
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  const profile = await profileFlag(f.profile);
  backendFlag(f.backend);
  // The checkpoint is plain files: a wrong path fails before the engine starts.
  const ck = await openCheckpoint(path);
  const engine = await startEngine(f.backend, log);
  const data = await openDataset(f.data ?? 'fashion-mnist', { limitTrain: 1, limitTest }, log);
  assertFitsData(ck, data);
  const timesteps = checkpointTimesteps(ck, f.timesteps);
  const model = buildCheckpointModel(ck, timesteps);
  const result = evaluate(withEvalProgress(model.target, data.test.count, log), data.test);
  log.info(`test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.images} images${result.spikesPerNeuron === null ? '' : `, ${result.spikesPerNeuron.toFixed(3)} spikes/neuron`}`);
  return buildReport({
    command: 'eval', method: model.method, dataset: { name: data.name, trainSize: 0, testSize: data.test.count }, timesteps,
    backend: engine.backend, result, annAccuracy: null, graph: model.net.graph,
    input: measureInput(model, data.test), gradedSpikes: hasGradedSpikes(model), profile, wallMs: performance.now() - t0,
  });
}
