import { createEncoder } from '@spikelite/encoding';
import { SnnModel } from '@spikelite/models';
import { NeuronSpec, TrainConfig, parseWith } from '@spikelite/schemas';
import { snnTarget } from '@spikelite/training';
import { balanceInto, trainAnnStage, trainStage, type TrainMethodDefinition } from './context.js';

/** SPEC §4d: θ scale after balancing. DIET uses 0.2-0.3 with its VGGs at T=5; on our small models 0.7 converted better (see README). */
export const DIET_DEFAULT_SCALE = 0.7;

/**
 * `--method diet` (DIET-SNN, SPEC §4): train the ANN (--ann-epochs), balance thresholds
 * layer by layer on the SNN, then fine-tune weights, leak and threshold with BPTT at T
 * timesteps with direct input (--epochs, lr default 1e-4 as DIET's SNN stage).
 */
export const dietMethod: TrainMethodDefinition = {
  about: 'DIET-SNN: ANN, threshold balancing, surrogate-gradient fine-tuning of weights, leak and threshold (direct input)',
  async run(ctx) {
    const { timesteps, epochs, batch, seed } = ctx.flags;
    const ann = await trainAnnStage(ctx, ctx.flags.annEpochs, ctx.flags.annLr);
    const neuron = parseWith(NeuronSpec, { kind: 'lif', leak: 1, threshold: 1 }, 'neuron');
    const snn = new SnnModel(ctx.net, { timesteps, neuron, encoder: createEncoder({ kind: 'direct' }, { timesteps }) });
    await balanceInto(ctx, snn, ctx.flags.scale ?? DIET_DEFAULT_SCALE);
    const config = parseWith(TrainConfig, { method: 'diet', timesteps, epochs, batchSize: batch, optimizer: { kind: 'adam', lr: ctx.flags.lr ?? 1e-4 }, seed, loss: { kind: 'ce', on: 'final' }, neuron }, 'train config');
    const r = await trainStage(ctx, 'snn', snnTarget(snn, config.loss), config, { spec: ctx.spec, method: 'diet', neuron, encoding: { kind: 'direct' } });
    ctx.log.info(`leak per layer: ${snn.neurons.map((n) => (n.mode === 'step' ? n.getParameter('leak').map((v) => v.toFixed(3)).join('/') : '-')).join(', ')}`);
    return { result: r.final, annAccuracy: ann.final.accuracy, timesteps, input: { analogSteps: timesteps, inputSpikesPerElement: 0 } };
  },
};
