/**
 * What a training method gets from `spikelite train` and the stages methods share: the ANN
 * stage, threshold balancing, and resumable training of one stage.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { calibrateThresholds } from '@spikelite/conversion';
import { epochOrder, subset, takeFirst, type Dataset } from '@spikelite/data';
import { createRng, type EngineInfo } from '@spikelite/engine';
import type { Network, SnnModel } from '@spikelite/models';
import { TrainConfig, parseWith, type ModelSpec } from '@spikelite/schemas';
import { annTarget, evaluate, loadCheckpoint, snnTarget, train, type EvalResult, type TrainEvent, type TrainResult, type TrainTarget } from '@spikelite/training';
import { imageTensor, type Log } from '../setup.js';

export interface TrainFlags {
  timesteps: number;
  epochs: number;
  annEpochs: number;
  batch: number;
  seed: number;
  lr: number | undefined;
  annLr: number;
  calib: number;
  calibSteps: number;
  scale: number | undefined;
  /** hybrid/general: start the SNN from the trained ANN's weights or from the random init (absent = the method's default). */
  init?: 'ann' | 'scratch';
  /** hybrid: θ of the output neurons for the spike-time loss (absent = derived, see hybrid.ts). */
  outThreshold?: number;
  /** hybrid: surrogate of the single-spike neurons (absent = the method's default, see hybrid.ts). */
  surrogate?: 'stdb' | 'linear';
}

export interface MethodContext {
  readonly flags: TrainFlags;
  readonly data: Dataset;
  readonly spec: ModelSpec;
  readonly net: Network;
  readonly engine: EngineInfo;
  readonly dirs: { out?: string; resume?: string };
  readonly log: Log;
}

export interface MethodResult {
  result: EvalResult;
  annAccuracy: number | null;
  timesteps: number;
  /** How layer 1 was fed, for energy accounting. */
  input: { analogSteps: number; inputSpikesPerElement: number };
  gradedSpikes?: boolean;
}

export interface TrainMethodDefinition {
  readonly about: string;
  run(ctx: MethodContext): Promise<MethodResult>;
}

/** Training events as progress (a bar per epoch on a terminal) and one line per epoch and checkpoint. */
export function trainProgress(log: Log, stage: string): (e: TrainEvent) => void {
  return (e) => {
    if (e.type === 'batch') {
      const spn = e.spikesPerNeuron === null ? '' : ` spikes/neuron ${e.spikesPerNeuron.toFixed(3)}`;
      log.progress(`${stage} epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} acc ${(e.accuracy * 100).toFixed(1)}%${spn} eta ${Math.round(e.etaMs / 1000)}s`, { value: e.batch, total: e.batches });
    } else if (e.type === 'epoch') {
      const m = e.metrics;
      log.info(`${stage} epoch ${m.epoch}: train loss ${m.trainLoss?.toFixed(4)} test acc ${((m.testAccuracy ?? 0) * 100).toFixed(2)}%${m.spikesPerNeuron === undefined ? '' : ` spikes/neuron ${m.spikesPerNeuron.toFixed(3)}`} (${Math.round((m.wallMs ?? 0) / 1000)}s)`);
    } else log.info(`${stage} checkpoint: ${e.dir}`);
  };
}

/** True when `--resume` has a checkpoint of this stage. */
export function resumes(ctx: MethodContext, stage: string): boolean {
  return ctx.dirs.resume !== undefined && existsSync(join(ctx.dirs.resume, stage, 'latest.json'));
}

/** Train one stage into <out>/<stage>, resuming from <resume>/<stage> when it has a checkpoint. */
export async function trainStage(
  ctx: MethodContext, stage: string, target: TrainTarget, config: TrainConfig, describe: Parameters<typeof train>[0]['describe'],
): Promise<TrainResult> {
  const runDir = ctx.dirs.out ? join(ctx.dirs.out, stage) : undefined;
  let resume;
  if (resumes(ctx, stage)) {
    resume = await loadCheckpoint(join(ctx.dirs.resume!, stage));
    ctx.log.info(`${stage}: resuming from ${resume.dir} (epoch ${resume.manifest.epoch}/${config.epochs})`);
  }
  return train({ target, train: ctx.data.train, test: ctx.data.test, config, runDir, resume, describe, onEvent: trainProgress(ctx.log, stage) });
}

/** The ANN stage every conversion-based method starts with. */
export async function trainAnnStage(ctx: MethodContext, epochs: number, lr: number): Promise<TrainResult> {
  const config = parseWith(TrainConfig, { method: 'ann', timesteps: 1, epochs, batchSize: ctx.flags.batch, optimizer: { kind: 'adam', lr }, seed: ctx.flags.seed }, 'train config');
  const result = await trainStage(ctx, 'ann', annTarget(ctx.net), config, { spec: ctx.spec, method: 'ann' });
  ctx.log.info(`ANN test accuracy ${(result.final.accuracy * 100).toFixed(2)}%`);
  return result;
}

/**
 * DIET threshold balancing (SPEC §4d) on --calib training images over --calib-steps, scaled
 * by `scale`, set on the SNN's neurons; reports the converted SNN's accuracy. Skipped when
 * the SNN stage resumes (its checkpoint holds the thresholds). Writes <out>/conversion.json.
 */
export async function balanceInto(ctx: MethodContext, snn: SnnModel, scale: number, stage = 'snn'): Promise<EvalResult | null> {
  if (resumes(ctx, stage)) {
    const info = JSON.parse(await readFile(join(ctx.dirs.resume!, 'conversion.json'), 'utf8').catch(() => '{}')) as { thresholds?: number[] };
    ctx.log.info(`resuming the ${stage} stage: thresholds come from its checkpoint${info.thresholds ? ` (balanced: ${info.thresholds.map((t) => t.toFixed(3)).join(', ')})` : ''}`);
    return null;
  }
  const { data, flags, log } = ctx;
  const order = epochOrder(data.train.count, createRng(flags.seed + 1));
  const calibSet = takeFirst(subset(data.train, Array.from(order)), Math.min(flags.calib, data.train.count));
  const images = imageTensor(calibSet);
  log.info(`balancing thresholds on ${calibSet.count} images over ${flags.calibSteps} steps`);
  const thresholds = calibrateThresholds(ctx.net, images, {
    mode: 'snn', balanceSteps: flags.calibSteps,
    onLayer: (l, n, th) => log.info(`  layer ${l + 1}/${n}: threshold ${th.toFixed(4)}`),
  });
  images.dispose();
  snn.neurons.forEach((layer, i) => {
    if (layer.mode === 'step') layer.setParameter('threshold', thresholds[i]! * scale);
  });
  const converted = evaluate(snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 }), data.test);
  log.info(`converted SNN (T=${snn.timesteps}, scale ${scale}, before fine-tuning): ${(converted.accuracy * 100).toFixed(2)}%, ${converted.spikesPerNeuron?.toFixed(3)} spikes/neuron`);
  if (ctx.dirs.out) await writeFile(join(ctx.dirs.out, 'conversion.json'), JSON.stringify({ thresholds, scale, convertedAccuracy: converted.accuracy }, null, 1));
  return converted;
}
