/**
 * `diet` (DIET-SNN, SPEC §4): the ANN (trained here from a preset or ModelSpec, or an ONNX
 * model) → @spikelite/conversion's diet recipe (LIF neurons, λ and θ trainable, θ = scale ×
 * calibrated threshold, direct input) → surrogate-gradient BPTT fine-tuning of weights, leaks
 * and thresholds at T steps (`finetuneSnn`, the recipe's own plan).
 */
import { dietFinetunePlan } from '@spikelite/conversion';
import type { DietRecipe } from '@spikelite/schemas';
import { METHOD_STEPS } from '@spikelite/schemas';
import { z } from 'zod';
import { booleanField, intField, positiveField } from '../fields.js';
import type { MethodDefinition } from '../method.js';
import { AMSGRAD_HELP, SCALE_HELP, SNN_EPOCHS_HELP, SNN_LR_HELP, TIMESTEPS_HELP, annStageFields, batchField, calibrationFields, maxPoolField, rateConversionFields, recipeCalibration, recipeDefaults } from './shared.js';

const D = recipeDefaults('diet');

const schema = z.strictObject({
  timesteps: intField(TIMESTEPS_HELP, D.timesteps, 1, 'T'),
  epochs: intField(SNN_EPOCHS_HELP, D.finetuneEpochs, 0),
  lr: positiveField(SNN_LR_HELP, D.optimizer.lr),
  amsgrad: booleanField(AMSGRAD_HELP, D.optimizer.kind === 'adam' && D.optimizer.amsgrad),
  scale: positiveField(SCALE_HELP, D.scale),
  ...calibrationFields('ann'),
  ...rateConversionFields({ granularity: D.calibration.granularity, initialPotential: D.initialPotential }),
  ...maxPoolField,
  ...annStageFields,
  ...batchField,
});

export const dietMethod: MethodDefinition<typeof schema> = {
  id: 'diet',
  about: 'DIET-SNN: conversion onto LIF (trainable leak and threshold), then surrogate-gradient fine-tuning at T steps, direct input',
  schema,
  steps: { label: METHOD_STEPS.diet, sweep: null },
  models: ['onnx', 'spec'],
  needs: (c, model) => ({ training: c.epochs > 0 || model === 'spec', calibration: true }),
  async run(c, ctx) {
    const net = ctx.network();
    const annAccuracy = await ctx.annStage(net, { epochs: c.annEpochs, lr: c.annLr, batch: c.batch });
    const { result, recipe } = await ctx.convert(
      net,
      {
        kind: 'diet', timesteps: c.timesteps, scale: c.scale, initialPotential: c.initialPotential, ...(c.biasCorrection ? { biasCorrection: true } : {}), calibration: recipeCalibration(c), finetuneEpochs: c.epochs,
        optimizer: { kind: 'adam', lr: c.lr, amsgrad: c.amsgrad, weightDecay: 0 },
      },
      { calibrationImages: ctx.calibrationImages(c.calib), maxPool: c.maxPool, calibrationMode: c.calibration, balanceSteps: c.calibSteps },
    );
    const snn = result.snn;
    const evaluated = c.epochs > 0 ? await ctx.trainSnn(snn, dietFinetunePlan(recipe as DietRecipe), { batch: c.batch }) : null;
    ctx.log(`leak per layer: ${snn.neurons.map((n) => (n.mode === 'step' ? n.getParameter('leak').map((v) => v.toFixed(3)).join('/') : '-')).join(', ')}`);
    return ctx.finish({ snn, net, annAccuracy, evaluated });
  },
};
