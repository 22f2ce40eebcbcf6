/** `spikelite eval`: evaluate a checkpoint (ANN or SNN) on a dataset's test set. */
import { createEncoder } from '@spikelite/encoding';
import { Network, SnnModel } from '@spikelite/models';
import type { RunReport } from '@spikelite/schemas';
import { annTarget, CheckpointError, evaluate, loadCheckpoint, snnTarget, type TrainTarget } from '@spikelite/training';
import * as tf from '@tensorflow/tfjs-core';
import { intFlag, parseFlags, required } from '../args.js';
import { CliError } from '../errors.js';
import { buildReport } from '../report.js';
import { openDataset, startEngine, stderrLog } from '../setup.js';

export const EVAL_HELP = `spikelite eval — evaluate a checkpoint on a test set

  --checkpoint DIR     a run directory (with latest.json) or a checkpoint directory
  --data <name|dir>    fashion-mnist (default), mnist, or a directory
  --timesteps T        override the SNN's timesteps
  --limit-test N       use the first N test images
  --backend B          tensorflow | wasm | cpu
  --json               print the RunReport JSON on stdout

Example: spikelite eval --checkpoint runs/diet/snn --limit-test 1000 --json`;

const FLAGS = {
  checkpoint: { type: 'string' }, data: { type: 'string' }, timesteps: { type: 'string' }, 'limit-test': { type: 'string' },
  backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
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
  const engine = await startEngine(f.backend, log);
  let ck;
  try {
    ck = await loadCheckpoint(path);
  } catch (e) {
    if (e instanceof CheckpointError || (e as Error).name === 'SpikeliteConfigError') throw new CliError(`--checkpoint: ${(e as Error).message}`);
    throw e;
  }
  const m = ck.manifest;
  const data = await openDataset(f.data ?? 'fashion-mnist', { limitTrain: 1, limitTest });
  const inShape = [m.spec.input.height, m.spec.input.width, m.spec.input.channels].join('x');
  const dataShape = [data.test.height, data.test.width, data.test.channels].join('x');
  if (inShape !== dataShape) throw new CliError(`--data: images are ${dataShape} but the checkpoint's model expects ${inShape}`);
  const net = Network.create(m.spec);
  let target: TrainTarget;
  const timesteps = m.method === 'ann' ? 1 : intFlag('timesteps', f.timesteps, { min: 1, fallback: m.train?.timesteps ?? 5 })!;
  if (m.method === 'ann') target = annTarget(net);
  else {
    if (m.neuron === undefined) throw new CliError(`--checkpoint: ${ck.dir}: an SNN checkpoint without a neuron spec`);
    const snn = new SnnModel(net, { timesteps, neuron: m.neuron, encoder: createEncoder(m.encoding ?? { kind: 'direct' }, { timesteps }) });
    target = snnTarget(snn, m.train?.loss ?? { kind: 'ce', on: 'final', labelSmoothing: 0 });
  }
  for (const [name, v] of target.state()) {
    const t = ck.tensors.get(name);
    if (t === undefined || t.values.length !== v.size) throw new CliError(`--checkpoint: ${ck.dir}: tensor '${name}' is missing or has the wrong size`);
    v.assign(tf.tensor(t.values, v.shape));
  }
  const result = evaluate(target, data.test);
  log.info(`test accuracy ${(result.accuracy * 100).toFixed(2)}% on ${result.images} images${result.spikesPerNeuron === null ? '' : `, ${result.spikesPerNeuron.toFixed(3)} spikes/neuron`}`);
  return buildReport({
    command: 'eval', method: m.method, dataset: { name: data.name, trainSize: 0, testSize: data.test.count }, timesteps,
    backend: engine.backend, result, annAccuracy: null, graph: net.graph,
    input: { analogSteps: timesteps, inputSpikesPerElement: 0 }, wallMs: performance.now() - t0,
  });
}
