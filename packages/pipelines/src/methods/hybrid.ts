/**
 * `hybrid` (single-spike hybrid input encoding, Datta, Kundu & Beerel; SPEC §1): the ANN
 * (or, `init: 'scratch'`, the random init of its architecture) → @spikelite/conversion's
 * hybrid recipe (single-spike LIF neurons at θ = scale × calibrated threshold; input: the
 * analog image at t = 0, then one temporal spike per non-black pixel) → fine-tuning with the
 * spike-time + membrane loss against θ_out (derived from the converted SNN's outputs). Every
 * hidden neuron fires at most once per image, which the final evaluation checks on every
 * test image (`maxSpikesPerNeuron`, logged and written to <out>/hybrid.json).
 */
import { deriveOutputThreshold, hybridFinetunePlan, scaleOutputLayer } from '@spikelite/conversion';
import type { HybridRecipe } from '@spikelite/schemas';
import { METHOD_STEPS } from '@spikelite/schemas';
import { z } from 'zod';
import { booleanField, choiceField, intField, optionalPositiveField, positiveField } from '../fields.js';
import type { MethodDefinition } from '../method.js';
import { AMSGRAD_HELP, INIT_HELP, SCALE_HELP, SNN_EPOCHS_HELP, SNN_LR_HELP, TIMESTEPS_HELP, annStageFields, batchField, calibrationFields, maxPoolField, recipeCalibration, recipeDefaults } from './shared.js';

const D = recipeDefaults('hybrid');

const schema = z.strictObject({
  timesteps: intField(TIMESTEPS_HELP, D.timesteps, 1, 'T'),
  epochs: intField(SNN_EPOCHS_HELP, D.finetuneEpochs, 0),
  lr: positiveField(SNN_LR_HELP, D.optimizer.lr),
  amsgrad: booleanField(AMSGRAD_HELP, D.optimizer.kind === 'adam' && D.optimizer.amsgrad),
  scale: positiveField(SCALE_HELP, D.scale),
  surrogate: choiceField(['linear', 'stdb'], D.surrogate, "hidden neurons' surrogate: linear γ = 0.3, masked after the spike, or the neuron's STDB variant (keeps a gradient after the spike)"),
  outThreshold: optionalPositiveField('θ_out of the spike-time loss (default: outThresholdFraction × the median max U(T) on the calibration images)'),
  outThresholdFraction: positiveField('θ_out as a fraction of the median max U(T)', D.outputThresholdFraction),
  init: choiceField(['ann', 'scratch'], 'ann', INIT_HELP),
  ...calibrationFields('ann'),
  ...maxPoolField,
  ...annStageFields,
  ...batchField,
});

export const hybridMethod: MethodDefinition<typeof schema> = {
  id: 'hybrid',
  about: 'single-spike hybrid encoding: analog input at t=0 then temporal spikes, single-spike neurons, spike-time + membrane fine-tune',
  schema,
  steps: { label: METHOD_STEPS.hybrid, sweep: null },
  models: ['onnx', 'spec'],
  rawPixels: true,
  needs: (c, model) => ({ training: c.epochs > 0 || (model === 'spec' && c.init === 'ann'), calibration: true }),
  async run(c, ctx) {
    const net = ctx.network(c.init === 'ann' ? 'model' : 'random');
    const annAccuracy = c.init === 'ann' ? await ctx.annStage(net, { epochs: c.annEpochs, lr: c.annLr, batch: c.batch }) : await ctx.referenceAccuracy();
    const images = ctx.calibrationImages(c.calib);
    const { result, recipe } = await ctx.convert(
      net,
      {
        kind: 'hybrid', timesteps: c.timesteps, scale: c.scale, calibration: recipeCalibration(c), finetuneEpochs: c.epochs,
        optimizer: { kind: 'adam', lr: c.lr, amsgrad: c.amsgrad, weightDecay: 0 }, surrogate: c.surrogate, outputThresholdFraction: c.outThresholdFraction,
        ...(c.outThreshold !== undefined ? { outputThreshold: c.outThreshold } : {}),
      },
      { calibrationImages: images, maxPool: c.maxPool, calibrationMode: c.calibration, balanceSteps: c.calibSteps },
    );
    const snn = result.snn;
    if (c.calibration === 'snn') {
      // Balanced without weight normalisation, hidden spikes are 0/1 while the ANN's activations were O(θ):
      // the output layer's kernel × θ of the last hidden layer puts U(T) on the ANN's logit scale.
      const factor = scaleOutputLayer(snn);
      ctx.log(factor === null ? 'output layer not rescaled (not one weight layer fed by the last activation)' : `output layer weights × ${factor.toFixed(4)} (θ of the last hidden layer)`);
    }
    const outputThreshold = c.outThreshold ?? deriveOutputThreshold(snn, images, c.outThresholdFraction);
    ctx.log(`hybrid: output threshold θ_out = ${outputThreshold.toFixed(4)}${c.outThreshold === undefined ? ` (${c.outThresholdFraction} × median max U(T) on ${images.shape[0]} calibration images)` : ''}`);
    const evaluation = { maxSpikesPerNeuron: true };
    const evaluated = c.epochs > 0 ? await ctx.trainSnn(snn, hybridFinetunePlan(recipe as HybridRecipe, outputThreshold), { batch: c.batch, evaluation }) : ctx.measure(snn, net, evaluation);
    const worst = evaluated.maxSpikesPerNeuron ?? [];
    const twice = worst.some((w) => w > 1);
    ctx.log(`most spikes of one hidden neuron for one image, per layer, over all ${ctx.data.test.count} test images: ${worst.join(', ')}${twice ? ' — A NEURON FIRED MORE THAN ONCE' : ' (none fired twice)'}`);
    await ctx.writeArtifact('hybrid.json', { outputThreshold, init: c.init, maxSpikesPerNeuronPerImage: worst, testImages: ctx.data.test.count });
    return ctx.finish({ snn, net, annAccuracy, evaluated });
  },
};
