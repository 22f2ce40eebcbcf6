/**
 * `fs`: few-spike conversion (@spikelite/conversion's fs recipe, SPEC §3): every activation
 * becomes a K-step FS neuron; no training after conversion. A preset or ModelSpec goes
 * through the ANN stage first.
 */
import { METHOD_STEPS } from '@spikelite/schemas';
import { z } from 'zod';
import { choiceField, intField, optionalIntField, optionalPositiveField } from '../fields.js';
import type { MethodDefinition } from '../method.js';
import { CALIBRATION_IMAGES, CALIB_HELP, annStageFields, batchField, maxPoolField, recipeDefaults } from './shared.js';

const D = recipeDefaults('fs');

const schema = z.strictObject({
  timesteps: optionalIntField('K: steps of every FS neuron (default: 10 ReLU, 16 SiLU, 12 sigmoid)', 1, 'K'),
  fit: choiceField(['missing', 'layer', 'samples'], D.fit, "non-ReLU activations: fitted on each layer's observed inputs from the best stored start ('samples'), the stored (published or reference) sets as they are ('missing'), or fitted on each layer's input range ('layer')"),
  reluAlpha: optionalPositiveField("ReLU: one α of h = d = T = α·2^−t for every layer (outputs clipped to α(1 − 2^−K); SPEC: 25); default: per layer, the largest calibration input at the top of the range"),
  calib: intField(CALIB_HELP, CALIBRATION_IMAGES, 1),
  ...maxPoolField,
  ...annStageFields,
  ...batchField,
});

export const fsMethod: MethodDefinition<typeof schema> = {
  id: 'fs',
  about: 'few-spike conversion: every activation a K-step FS neuron fitted to it (graded spikes), no retraining',
  schema,
  steps: { label: METHOD_STEPS.fs, sweep: [4, 6, 8, 10] },
  models: ['onnx', 'spec'],
  needs: (_c, model) => ({ training: model === 'spec', calibration: true }),
  async run(c, ctx) {
    const net = ctx.network();
    const annAccuracy = await ctx.annStage(net, { epochs: c.annEpochs, lr: c.annLr, batch: c.batch });
    const { result } = await ctx.convert(
      net,
      { kind: 'fs', reluAlpha: c.reluAlpha ?? 'max', fit: c.fit, ...(c.timesteps !== undefined ? { K: c.timesteps } : {}) },
      { calibrationImages: ctx.calibrationImages(c.calib), maxPool: c.maxPool },
    );
    return ctx.finish({ snn: result.snn, net, annAccuracy });
  },
};
