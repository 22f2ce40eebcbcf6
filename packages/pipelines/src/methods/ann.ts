/**
 * `ann`: the ANN itself. A preset or ModelSpec is trained (Adam, `epochs`); an ONNX model is
 * evaluated as imported, next to onnxruntime's accuracy on the same images. Costed as itself
 * (energy ratio 1).
 */
import { METHOD_STEPS } from '@spikelite/schemas';
import { z } from 'zod';
import { intField, positiveField } from '../fields.js';
import type { MethodDefinition } from '../method.js';
import { batchField } from './shared.js';

const schema = z.strictObject({
  epochs: intField('epochs of the ANN (an ONNX model: none, it is evaluated as imported)', 3, 0),
  lr: positiveField('Adam learning rate', 1e-3),
  ...batchField,
});

export const annMethod: MethodDefinition<typeof schema> = {
  id: 'ann',
  about: 'the ANN alone: trained from a preset or ModelSpec, or an ONNX model evaluated as imported',
  schema,
  steps: { label: METHOD_STEPS.ann, sweep: null },
  models: ['onnx', 'spec'],
  needs: (_c, model) => ({ training: model === 'spec', calibration: false }),
  async run(c, ctx) {
    const net = ctx.network();
    const evaluated = ctx.model.kind === 'spec' ? await ctx.trainAnn(net, { epochs: c.epochs, lr: c.lr, batch: c.batch }) : null;
    return ctx.finish({ snn: null, net, annAccuracy: await ctx.referenceAccuracy(), evaluated });
  },
};
