/**
 * `general` (the one-timestep general SNN, SPEC §2): T = 1, direct (analog) input, every
 * hidden activation a `general` neuron with the sin/cos projection over four windows (decay
 * 0.4, V_th 0.5, hard reset, rectangular surrogate: the schema's defaults), the output an
 * integrator read at U(1), softmax CE; trained with BPTT from the random init (default) or,
 * with `init: 'ann'`, from the trained ANN with V_th balanced per layer (DIET's balancing on
 * the SNN, × scale) and the output layer rescaled.
 */
import { createEncoder } from '@spikelite/encoding';
import { calibrateThresholds, scaleOutputLayer } from '@spikelite/conversion';
import { SnnModel } from '@spikelite/models';
import { NeuronSpec, OptimizerSpec, parseWith, METHOD_STEPS } from '@spikelite/schemas';
import { z } from 'zod';
import { choiceField, intField, positiveField } from '../fields.js';
import type { MethodDefinition } from '../method.js';
import { INIT_HELP, SCALE_HELP, SNN_EPOCHS_HELP, SNN_LR_HELP, TIMESTEPS_HELP, annStageFields, batchField, calibrationFields } from './shared.js';

const { calib, calibSteps, statistic, percentile } = calibrationFields('snn');

const schema = z.strictObject({
  timesteps: intField(TIMESTEPS_HELP, 1, 1, 'T'),
  epochs: intField(SNN_EPOCHS_HELP, 3, 0),
  lr: positiveField(SNN_LR_HELP, 1e-3),
  init: choiceField(['ann', 'scratch'], 'scratch', INIT_HELP),
  scale: positiveField(SCALE_HELP, 0.5),
  calib,
  calibSteps,
  statistic,
  percentile,
  ...annStageFields,
  ...batchField,
});

/** Every hidden neuron of the general SNN: the schema's general neuron with the sin/cos projection. */
export function generalNeuron(): NeuronSpec {
  return parseWith(NeuronSpec, { kind: 'general', projection: 'sincos' }, 'neuron');
}

export const generalMethod: MethodDefinition<typeof schema> = {
  id: 'general',
  about: 'general SNN at one timestep: sin/cos-projection neurons, direct input, BPTT (from scratch, or init ann)',
  schema,
  steps: { label: METHOD_STEPS.general, sweep: null },
  models: ['onnx', 'spec'],
  needs: (c, model) => ({ training: c.epochs > 0 || (model === 'spec' && c.init === 'ann'), calibration: c.init === 'ann' }),
  async run(c, ctx) {
    if (c.timesteps !== 1) ctx.log(`general: running at T = ${c.timesteps}; the method (SPEC §2) is defined at T = 1`);
    const net = ctx.network(c.init === 'ann' ? 'model' : 'random');
    const annAccuracy = c.init === 'ann' ? await ctx.annStage(net, { epochs: c.annEpochs, lr: c.annLr, batch: c.batch }) : await ctx.referenceAccuracy();
    const neuron = generalNeuron();
    const encoding = { kind: 'direct' } as const;
    const snn = ctx.track(new SnnModel(net, { timesteps: c.timesteps, neuron, encoder: createEncoder(encoding, { timesteps: c.timesteps }) }));
    if (c.init === 'ann') {
      const images = ctx.calibrationImages(c.calib);
      ctx.log(`balancing thresholds on ${images.shape[0]} images over ${c.calibSteps} steps`);
      const thresholds = calibrateThresholds(net, images, {
        mode: 'snn', balanceSteps: c.calibSteps, statistic: c.statistic, percentile: c.percentile,
        onLayer: (l, n, th) => ctx.log(`  layer ${l + 1}/${n}: threshold ${th.toFixed(4)}`),
      });
      snn.neurons.forEach((layer, i) => {
        if (layer.mode === 'step') layer.setParameter('threshold', thresholds[i]! * c.scale);
      });
      const factor = scaleOutputLayer(snn);
      if (factor !== null) ctx.log(`output layer weights × ${factor.toFixed(4)} (V_th of the last hidden layer)`);
      await ctx.writeArtifact('conversion.json', { thresholds, scale: c.scale });
    }
    const evaluated =
      c.epochs > 0
        ? await ctx.trainSnn(snn, { method: 'general', timesteps: c.timesteps, epochs: c.epochs, optimizer: parseWith(OptimizerSpec, { kind: 'adam', lr: c.lr }, 'general optimizer'), loss: { kind: 'ce', on: 'final' }, neuron, encoding }, { batch: c.batch })
        : null;
    ctx.log(`spikes per hidden neuron per layer: ${(evaluated?.perLayer ?? []).map((l) => l.spikesPerNeuron.toFixed(4)).join(', ')}`);
    return ctx.finish({ snn, net, annAccuracy, evaluated });
  },
};
