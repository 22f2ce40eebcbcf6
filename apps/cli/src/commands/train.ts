/**
 * `spikelite train`: trains a model on a dataset with one of the methods.
 *  - ann:  the ANN alone.
 *  - diet: DIET-SNN (SPEC §4d): train the ANN, balance thresholds layer by layer on the SNN,
 *          then fine-tune weights, leak and threshold with BPTT at T timesteps, direct input.
 * With --out, each stage checkpoints to <out>/<stage>; --resume <out> continues where a
 * killed run stopped (completed stages are loaded, not retrained).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { calibrateThresholds } from '@spikelite/conversion';
import { epochOrder, takeFirst, subset, type Dataset } from '@spikelite/data';
import { createEncoder } from '@spikelite/encoding';
import { createRng } from '@spikelite/engine';
import { Network, SnnModel } from '@spikelite/models';
import { NeuronSpec, TrainConfig, parseWith, type RunReport } from '@spikelite/schemas';
import { annTarget, evaluate, loadCheckpoint, snnTarget, train, type TrainEvent, type TrainResult, type TrainTarget } from '@spikelite/training';
import { choiceFlag, intFlag, numberFlag, parseFlags } from '../args.js';
import { CliError } from '../errors.js';
import { buildReport } from '../report.js';
import { openDataset, resolveModel, startEngine, stderrLog, type Log } from '../setup.js';

export const TRAIN_HELP = `spikelite train — train an ANN or an SNN

  --model <preset|spec.json>   fmnist-small (default), mlp, vgg5, vgg9, vgg11, vgg16, resnet20, or a ModelSpec file
  --data <name|dir>            fashion-mnist (default; Debian's dataset-fashion-mnist), mnist, or a directory
  --method <m>                 ann | diet (default)
  --timesteps T                SNN timesteps (default 5)
  --epochs N                   epochs of the (last) training stage (default 1)
  --ann-epochs N               diet: epochs of the ANN stage (default 3)
  --batch B                    batch size (default 64)
  --lr X                       learning rate (default: ann 1e-3, diet fine-tune 1e-4)
  --ann-lr X                   diet: learning rate of the ANN stage (default 1e-3)
  --seed S                     seed of weights, shuffling, dropout (default 0)
  --limit-train N, --limit-test N   use the first N images
  --calib N                    diet: calibration images (default 512)
  --calib-steps T              diet: timesteps of threshold balancing (default 100, SPEC §4d)
  --scale X                    diet: threshold scale after balancing (default 0.7)
  --out DIR                    write checkpoints under DIR
  --resume DIR                 continue a killed run from its --out DIR
  --backend B                  tensorflow | wasm | cpu (default: best available)
  --json                       print the RunReport JSON on stdout

Example: spikelite train --method diet --epochs 1 --ann-epochs 3 --timesteps 5 --out runs/diet`;

const FLAGS = {
  model: { type: 'string' }, data: { type: 'string' }, method: { type: 'string' }, timesteps: { type: 'string' },
  epochs: { type: 'string' }, 'ann-epochs': { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
  'ann-lr': { type: 'string' }, seed: { type: 'string' }, 'limit-train': { type: 'string' }, 'limit-test': { type: 'string' },
  calib: { type: 'string' }, 'calib-steps': { type: 'string' }, scale: { type: 'string' },
  out: { type: 'string' }, resume: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

function progress(log: Log, stage: string): (e: TrainEvent) => void {
  return (e) => {
    if (e.type === 'batch') {
      const spn = e.spikesPerNeuron === null ? '' : ` spikes/neuron ${e.spikesPerNeuron.toFixed(3)}`;
      log.progress(`${stage} epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} acc ${(e.accuracy * 100).toFixed(1)}%${spn} eta ${Math.round(e.etaMs / 1000)}s`);
    } else if (e.type === 'epoch') {
      const m = e.metrics;
      log.info(`${stage} epoch ${m.epoch}: train loss ${m.trainLoss?.toFixed(4)} test acc ${((m.testAccuracy ?? 0) * 100).toFixed(2)}%${m.spikesPerNeuron === undefined ? '' : ` spikes/neuron ${m.spikesPerNeuron.toFixed(3)}`} (${Math.round((m.wallMs ?? 0) / 1000)}s)`);
    } else log.info(`${stage} checkpoint: ${e.dir}`);
  };
}

/** Train one stage, resuming from its directory when it has a checkpoint. */
async function stage(
  name: string, target: TrainTarget, data: Dataset, config: TrainConfig, describe: Parameters<typeof train>[0]['describe'],
  dirs: { out?: string; resume?: string }, log: Log,
): Promise<TrainResult> {
  const runDir = dirs.out ? join(dirs.out, name) : undefined;
  let resume;
  if (dirs.resume && existsSync(join(dirs.resume, name, 'latest.json'))) {
    resume = await loadCheckpoint(join(dirs.resume, name));
    log.info(`${name}: resuming from ${resume.dir} (epoch ${resume.manifest.epoch}/${config.epochs})`);
  }
  return train({ target, train: data.train, test: data.test, config, runDir, resume, describe, onEvent: progress(log, name) });
}

export async function trainCommand(argv: string[]): Promise<RunReport | null> {
  const { values: f } = parseFlags(argv, FLAGS);
  if (f.help) {
    process.stdout.write(`${TRAIN_HELP}\n`);
    return null;
  }
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  const method = choiceFlag('method', f.method, ['ann', 'diet', 'hybrid', 'general'] as const, 'diet')!;
  if (method === 'hybrid' || method === 'general') {
    throw new CliError(`--method ${method}: not available yet in this version (only ann and diet train so far)`);
  }
  const timesteps = method === 'ann' ? 1 : intFlag('timesteps', f.timesteps, { min: 1, fallback: 5 })!;
  const epochs = intFlag('epochs', f.epochs, { min: 0, fallback: 1 })!;
  const annEpochs = intFlag('ann-epochs', f['ann-epochs'], { min: 0, fallback: 3 })!;
  const batch = intFlag('batch', f.batch, { min: 1, fallback: 64 })!;
  const seed = intFlag('seed', f.seed, { min: 0, fallback: 0 })!;
  const limitTrain = intFlag('limit-train', f['limit-train'], { min: 1 });
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  const calib = intFlag('calib', f.calib, { min: 1, fallback: 512 })!;
  const calibSteps = intFlag('calib-steps', f['calib-steps'], { min: 1, fallback: 100 })!;
  const scale = numberFlag('scale', f.scale, { positive: true, fallback: 0.7 })!;
  const annLr = numberFlag('ann-lr', f['ann-lr'], { positive: true, fallback: 1e-3 })!;
  const lr = numberFlag('lr', f.lr, { positive: true, fallback: method === 'ann' ? annLr : 1e-4 })!;
  if (f.resume && f.out && f.resume !== f.out) throw new CliError('--resume and --out name different directories; --resume DIR continues in DIR');
  if (f.resume && !existsSync(f.resume)) throw new CliError(`--resume: ${f.resume}: no such directory`);
  const dirs = { out: f.out ?? f.resume, resume: f.resume };
  if (dirs.out) await mkdir(dirs.out, { recursive: true });

  const engine = await startEngine(f.backend, log);
  const data = await openDataset(f.data ?? 'fashion-mnist', { limitTrain, limitTest });
  log.info(`data: ${data.name}, ${data.train.count} train / ${data.test.count} test images`);
  const spec = await resolveModel(f.model ?? 'fmnist-small', data);
  const net = Network.create(spec, { seed });
  const annConfig = parseWith(TrainConfig, { method: 'ann', timesteps: 1, epochs: method === 'ann' ? epochs : annEpochs, batchSize: batch, optimizer: { kind: 'adam', lr: method === 'ann' ? lr : annLr }, seed }, 'train config');
  const ann = annTarget(net);
  const annResult = await stage('ann', ann, data, annConfig, { spec, method: 'ann' }, dirs, log);
  const annAccuracy = annResult.final.accuracy;
  log.info(`ANN test accuracy ${(annAccuracy * 100).toFixed(2)}%`);

  if (method === 'ann') {
    return buildReport({
      command: 'train', method, dataset: { name: data.name, trainSize: data.train.count, testSize: data.test.count }, timesteps: 1,
      backend: engine.backend, result: annResult.final, annAccuracy: null, graph: net.graph,
      input: { analogSteps: 1, inputSpikesPerElement: 0 }, wallMs: performance.now() - t0,
    });
  }

  // DIET: thresholds from layer-wise balancing, unless the SNN stage resumes (its checkpoint holds them).
  const neuron = parseWith(NeuronSpec, { kind: 'lif', leak: 1, threshold: 1 }, 'neuron');
  const snn = new SnnModel(net, { timesteps, neuron, encoder: createEncoder({ kind: 'direct' }, { timesteps }) });
  const resumingSnn = dirs.resume !== undefined && existsSync(join(dirs.resume, 'snn', 'latest.json'));
  if (!resumingSnn) {
    const order = epochOrder(data.train.count, createRng(seed + 1));
    const calibSet = takeFirst(subset(data.train, Array.from(order)), Math.min(calib, data.train.count));
    const images = tf.tensor4d(calibSet.images, [calibSet.count, calibSet.height, calibSet.width, calibSet.channels]);
    log.info(`balancing thresholds on ${calibSet.count} images over ${calibSteps} steps`);
    const thresholds = calibrateThresholds(net, images, {
      mode: 'snn', balanceSteps: calibSteps,
      onLayer: (l, n, th) => log.info(`  layer ${l + 1}/${n}: threshold ${th.toFixed(4)}`),
    });
    images.dispose();
    snn.neurons.forEach((layer, i) => {
      if (layer.mode === 'step') layer.setParameter('threshold', thresholds[i]! * scale);
    });
    const converted = evaluate(snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 }), data.test);
    log.info(`converted SNN (T=${timesteps}, before fine-tuning): ${(converted.accuracy * 100).toFixed(2)}%, ${converted.spikesPerNeuron?.toFixed(3)} spikes/neuron`);
    if (dirs.out) await writeFile(join(dirs.out, 'conversion.json'), JSON.stringify({ thresholds, scale, convertedAccuracy: converted.accuracy }, null, 1));
  } else if (dirs.resume) {
    const info = JSON.parse(await readFile(join(dirs.resume, 'conversion.json'), 'utf8').catch(() => '{}')) as { thresholds?: number[] };
    if (info.thresholds === undefined) log.info('resuming the SNN stage: thresholds come from its checkpoint');
  }
  const snnConfig = parseWith(TrainConfig, { method: 'diet', timesteps, epochs, batchSize: batch, optimizer: { kind: 'adam', lr }, seed, loss: { kind: 'ce', on: 'final' }, neuron }, 'train config');
  const snnResult = await stage('snn', snnTarget(snn, snnConfig.loss), data, snnConfig, { spec, method: 'diet', neuron, encoding: { kind: 'direct' } }, dirs, log);
  log.info(`leak per layer: ${snn.neurons.map((n) => (n.mode === 'step' ? n.getParameter('leak').map((v) => v.toFixed(3)).join('/') : '-')).join(', ')}`);
  return buildReport({
    command: 'train', method: 'diet', dataset: { name: data.name, trainSize: data.train.count, testSize: data.test.count }, timesteps,
    backend: engine.backend, result: snnResult.final, annAccuracy, graph: net.graph,
    input: { analogSteps: timesteps, inputSpikesPerElement: 0 }, wallMs: performance.now() - t0,
  });
}
