/**
 * `threshold`: rate conversion (@spikelite/conversion's threshold recipe): IF (or LIF, λ = 1)
 * neurons with θ = scale × the calibrated statistic, soft reset, direct input, any T. A
 * preset or ModelSpec goes through the ANN stage first.
 */
import { METHOD_STEPS } from '@spikelite/schemas';
import { z } from 'zod';
import { choiceField, intField, positiveField } from '../fields.js';
import type { MethodDefinition } from '../method.js';
import { SCALE_HELP, TIMESTEPS_HELP, annStageFields, batchField, calibrationFields, maxPoolField, rateConversionFields, recipeCalibration, recipeDefaults } from './shared.js';

const D = recipeDefaults('threshold');

const schema = z.strictObject({
  timesteps: intField(TIMESTEPS_HELP, D.timesteps, 1, 'T'),
  scale: positiveField(SCALE_HELP, D.scale),
  neuron: choiceField(['if', 'lif'], D.neuron, 'IF neurons, or LIF with λ = 1 fixed'),
  reset: choiceField(['soft', 'hard'], D.reset, 'subtract θ after a spike (soft) or reset to 0 (hard)'),
  ...calibrationFields('ann'),
  ...rateConversionFields({ granularity: D.calibration.granularity, initialPotential: D.initialPotential }),
  ...maxPoolField,
  ...annStageFields,
  ...batchField,
});

export const thresholdMethod: MethodDefinition<typeof schema> = {
  id: 'threshold',
  about: 'rate conversion: IF/LIF neurons, thresholds per channel from calibration × scale, membrane starting at θ/2, soft reset, direct input, any T',
  schema,
  steps: { label: METHOD_STEPS.threshold, sweep: [1, 2, 3, 5, 8, 16] },
  models: ['onnx', 'spec'],
  needs: (_c, model) => ({ training: model === 'spec', calibration: true }),
  async run(c, ctx) {
    const net = ctx.network();
    const annAccuracy = await ctx.annStage(net, { epochs: c.annEpochs, lr: c.annLr, batch: c.batch });
    const { result } = await ctx.convert(
      net,
      { kind: 'threshold', timesteps: c.timesteps, scale: c.scale, neuron: c.neuron, reset: c.reset, initialPotential: c.initialPotential, ...(c.biasCorrection ? { biasCorrection: true } : {}), calibration: recipeCalibration(c) },
      { calibrationImages: ctx.calibrationImages(c.calib), maxPool: c.maxPool, calibrationMode: c.calibration, balanceSteps: c.calibSteps },
    );
    return ctx.finish({ snn: result.snn, net, annAccuracy });
  },
};
