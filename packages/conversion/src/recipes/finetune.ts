/**
 * Surrogate-gradient fine-tuning of a converted SNN with @spikelite/training: the finalising
 * stage the diet and hybrid recipes share (they differ in loss, neuron and input encoding),
 * and the SNN stage of @spikelite/pipelines' methods (which add checkpoints and resume).
 */
import type { SnnModel } from '@spikelite/models';
import { TrainConfig, parseWith, type EncodingSpec, type LossSpecInput, type NeuronSpec, type OptimizerSpec, type Preprocess, type TrainMethod } from '@spikelite/schemas';
import { snnTarget, train, type EvalResult, type LoadedCheckpoint, type SnnTargetOptions, type TrainOptions } from '@spikelite/training';
import type { FinetuneData } from './types.js';

export interface FinetunePlan {
  method: Exclude<TrainMethod, 'ann'>;
  timesteps: number;
  epochs: number;
  optimizer: OptimizerSpec;
  loss: LossSpecInput;
  neuron: NeuronSpec;
  encoding: EncodingSpec;
  target?: SnnTargetOptions;
}

/** Where the fine-tune checkpoints and what it resumes from (none by default). */
export interface FinetuneRun {
  /** Checkpoints go to this run directory (`checkpoints/epoch-N`, `latest.json`). */
  runDir?: string;
  /** Continue from this checkpoint of the same stage. */
  resume?: LoadedCheckpoint;
  /** What the per-epoch evaluations measure (e.g. the most spikes of one neuron). */
  evaluation?: TrainOptions['evaluation'];
  /** The image preprocessing of the training data, recorded in the checkpoints (so eval applies the same). */
  preprocess?: Preprocess;
}

/** Trains `snn` in place on `finetune.train` and returns the final evaluation on `finetune.test`. */
export async function finetuneSnn(snn: SnnModel, finetune: FinetuneData, plan: FinetunePlan, log: (msg: string) => void, run: FinetuneRun = {}): Promise<EvalResult> {
  const config = parseWith(
    TrainConfig,
    {
      method: plan.method, timesteps: plan.timesteps, epochs: plan.epochs, batchSize: finetune.batchSize ?? 64, optimizer: plan.optimizer,
      seed: finetune.seed ?? 0, loss: plan.loss, neuron: plan.neuron, encoding: plan.encoding,
    },
    `${plan.method} fine-tune config`,
  );
  log(`${plan.method}: fine-tuning ${plan.epochs} epoch(s) on ${finetune.train.count} images, T = ${plan.timesteps}, lr ${plan.optimizer.lr}`);
  const result = await train({
    target: snnTarget(snn, config.loss, plan.target),
    train: finetune.train,
    test: finetune.test,
    config,
    describe: { spec: snn.network.spec, method: plan.method, neuron: plan.neuron, encoding: plan.encoding, ...(run.preprocess ? { preprocess: run.preprocess } : {}) },
    ...(finetune.onEvent ? { onEvent: finetune.onEvent } : {}),
    ...(run.runDir !== undefined ? { runDir: run.runDir } : {}),
    ...(run.resume !== undefined ? { resume: run.resume } : {}),
    ...(run.evaluation !== undefined ? { evaluation: run.evaluation } : {}),
  });
  return result.final;
}
