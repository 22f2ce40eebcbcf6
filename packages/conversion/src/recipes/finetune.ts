/**
 * Surrogate-gradient fine-tuning of a converted SNN with @spikelite/training: the finalising
 * stage the diet and hybrid recipes share (they differ in loss, neuron and input encoding).
 */
import type { SnnModel } from '@spikelite/models';
import { TrainConfig, parseWith, type EncodingSpec, type LossSpecInput, type NeuronSpec, type OptimizerSpec } from '@spikelite/schemas';
import { snnTarget, train, type EvalResult, type SnnTargetOptions } from '@spikelite/training';
import type { FinetuneData } from './types.js';

export interface FinetunePlan {
  method: 'diet' | 'hybrid';
  timesteps: number;
  epochs: number;
  optimizer: OptimizerSpec;
  loss: LossSpecInput;
  neuron: NeuronSpec;
  encoding: EncodingSpec;
  target?: SnnTargetOptions;
}

/** Trains `snn` in place on `finetune.train` and returns the final evaluation on `finetune.test`. */
export async function finetuneSnn(snn: SnnModel, finetune: FinetuneData, plan: FinetunePlan, log: (msg: string) => void): Promise<EvalResult> {
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
    describe: { spec: snn.network.spec, method: plan.method, neuron: plan.neuron, encoding: plan.encoding },
    ...(finetune.onEvent ? { onEvent: finetune.onEvent } : {}),
  });
  return result.final;
}
