/**
 * `spikelite train`: trains a model on a dataset with one of the methods.
 *  - ann:  the ANN alone.
 *  - diet: DIET-SNN (SPEC §4d): train the ANN, balance thresholds layer by layer on the SNN,
 *          then fine-tune weights, leak and threshold with BPTT at T timesteps, direct input.
 * With --out, each stage checkpoints to <out>/<stage>; --resume <out> continues where a
 * killed run stopped (completed stages are loaded, not retrained).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Network } from '@spikelite/models';
import type { RunReport } from '@spikelite/schemas';
import { choiceFlag, intFlag, numberFlag, parseFlags } from '../args.js';
import { CliError } from '../errors.js';
import { TRAIN_METHODS } from '../methods/index.js';
import { buildReport } from '../report.js';
import { backendFlag, checkModelFlag, openDataset, resolveModel, startEngine, stderrLog } from '../setup.js';

export const TRAIN_HELP = `spikelite train — train an ANN or an SNN

  --model <preset|spec.json>   fmnist-small (default), mlp, vgg5, vgg9, vgg11, vgg16, resnet20, or a ModelSpec file
  --data <name|dir>            fashion-mnist (default; Debian's dataset-fashion-mnist), mnist, or a directory
  --method <m>                 ann | diet (default) | hybrid | general
  --timesteps T                SNN timesteps (default 5)
  --epochs N                   epochs of the (last) training stage (default 1)
  --ann-epochs N               diet: epochs of the ANN stage (default 3)
  --batch B                    batch size (default 64)
  --lr X                       learning rate of the last stage (default: ann 1e-3, diet fine-tune 1e-4)
  --ann-lr X                   diet: learning rate of the ANN stage (default 1e-3)
  --seed S                     seed of weights, shuffling, dropout (default 0)
  --limit-train N, --limit-test N   use the first N images
  --calib N                    diet: calibration images (default 512)
  --calib-steps T              diet: timesteps of threshold balancing (default 100, SPEC §4d)
  --scale X                    diet/hybrid/general: threshold scale after balancing (default diet 0.7, hybrid 0.5, general 0.5)
  --init ann|scratch           hybrid/general: start the SNN from the ANN stage or from random weights
                               (default: hybrid ann, general scratch)
  --out-threshold X            hybrid: output threshold θ_out of the spike-time loss (default: derived)
  --surrogate linear|stdb      hybrid: surrogate of the single-spike neurons (default linear; stdb = the
                               neuron's STDB variant, which keeps a gradient after the spike)
  --out DIR                    write checkpoints under DIR
  --resume DIR                 continue a killed run from its --out DIR
  --backend B                  tensorflow | wasm | cpu (default: best available)
  --json                       print the RunReport JSON on stdout

Progress: a bar per stage on a terminal; into a pipe or with --json, a plain line every 30 s on stderr.

Example: spikelite train --method diet --epochs 1 --ann-epochs 3 --timesteps 5 --out runs/diet
Example: spikelite train --method ann --epochs 1 --limit-train 1000 --limit-test 200 --json`;

const FLAGS = {
  model: { type: 'string' }, data: { type: 'string' }, method: { type: 'string' }, timesteps: { type: 'string' },
  epochs: { type: 'string' }, 'ann-epochs': { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
  'ann-lr': { type: 'string' }, seed: { type: 'string' }, 'limit-train': { type: 'string' }, 'limit-test': { type: 'string' },
  calib: { type: 'string' }, 'calib-steps': { type: 'string' }, scale: { type: 'string' }, init: { type: 'string' }, 'out-threshold': { type: 'string' }, surrogate: { type: 'string' },
  out: { type: 'string' }, resume: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export async function trainCommand(argv: string[]): Promise<RunReport | null> {
  const { values: f } = parseFlags(argv, FLAGS);
  if (f.help) {
    process.stdout.write(`${TRAIN_HELP}\n`);
    return null;
  }
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  const method = choiceFlag('method', f.method, Object.keys(TRAIN_METHODS), 'diet')!;
  const flags = {
    timesteps: method === 'ann' ? 1 : intFlag('timesteps', f.timesteps, { min: 1, fallback: method === 'general' ? 1 : 5 })!,
    epochs: intFlag('epochs', f.epochs, { min: 0, fallback: 1 })!,
    annEpochs: intFlag('ann-epochs', f['ann-epochs'], { min: 0, fallback: 3 })!,
    batch: intFlag('batch', f.batch, { min: 1, fallback: 64 })!,
    seed: intFlag('seed', f.seed, { min: 0, fallback: 0 })!,
    lr: numberFlag('lr', f.lr, { positive: true }),
    annLr: numberFlag('ann-lr', f['ann-lr'], { positive: true, fallback: 1e-3 })!,
    calib: intFlag('calib', f.calib, { min: 1, fallback: 512 })!,
    calibSteps: intFlag('calib-steps', f['calib-steps'], { min: 1, fallback: 100 })!,
    scale: numberFlag('scale', f.scale, { positive: true }),
    init: choiceFlag('init', f.init, ['ann', 'scratch'] as const),
    outThreshold: numberFlag('out-threshold', f['out-threshold'], { positive: true }),
    surrogate: choiceFlag('surrogate', f.surrogate, ['linear', 'stdb'] as const),
  };
  const limitTrain = intFlag('limit-train', f['limit-train'], { min: 1 });
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  const model = f.model ?? 'fmnist-small';
  checkModelFlag(model);
  backendFlag(f.backend);
  if (f.resume && f.out && f.resume !== f.out) throw new CliError('--resume and --out name different directories; --resume DIR continues in DIR');
  if (f.resume && !existsSync(f.resume)) throw new CliError(`--resume: ${f.resume}: no such directory`);
  const dirs = { out: f.out ?? f.resume, resume: f.resume };
  if (dirs.out) await mkdir(dirs.out, { recursive: true });

  const engine = await startEngine(f.backend, log);
  const data = await openDataset(f.data ?? 'fashion-mnist', { limitTrain, limitTest }, log);
  log.info(`data: ${data.name}, ${data.train.count} train / ${data.test.count} test images`);
  const spec = await resolveModel(model, data);
  const net = Network.create(spec, { seed: flags.seed });
  const r = await TRAIN_METHODS[method]!.run({ flags, data, spec, net, engine, dirs, log });
  log.done();
  return buildReport({
    command: 'train', method: method as RunReport['method'], dataset: { name: data.name, trainSize: data.train.count, testSize: data.test.count },
    timesteps: r.timesteps, backend: engine.backend, result: r.result, annAccuracy: r.annAccuracy, graph: net.graph,
    input: r.input, gradedSpikes: r.gradedSpikes, wallMs: performance.now() - t0,
  });
}
