/**
 * `fs`: few-spike conversion (@spikelite/conversion's fs recipe, SPEC §3): every activation
 * becomes a K-step FS neuron; no training after conversion. A preset or ModelSpec goes
 * through the ANN stage first.
 */
import { METHOD_STEPS } from '@spikelite/schemas';
import { z } from 'zod';
import { choiceField, intField, optionalIntField, positiveField } from '../fields.js';
import type { MethodDefinition } from '../method.js';
import { CALIBRATION_IMAGES, CALIB_HELP, annStageFields, batchField, maxPoolField, recipeDefaults } from './shared.js';

const D = recipeDefaults('fs');

const schema = z.strictObject({
  timesteps: optionalIntField('K: steps of every FS neuron (default: 10 ReLU, 16 SiLU, 12 sigmoid)', 1, 'K'),
  fit: choiceField(['missing', 'layer', 'samples'], 'missing', "fit coefficients only where none are published ('missing'), or every non-ReLU activation on its layer's input range ('layer') or observed inputs ('samples')"),
  reluAlpha: positiveField('ReLU: α of h = d = T = α·2^−t (outputs clipped to α(1 − 2^−K))', D.reluAlpha),
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
      { kind: 'fs', reluAlpha: c.reluAlpha, ...(c.timesteps !== undefined ? { K: c.timesteps } : {}), ...(c.fit !== 'missing' ? { fit: c.fit } : {}) },
      { calibrationImages: ctx.calibrationImages(c.calib), maxPool: c.maxPool },
    );
    return ctx.finish({ snn: result.snn, net, annAccuracy });
  },
};
