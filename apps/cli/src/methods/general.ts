/**
 * `--method general` (one-timestep general SNN, SPEC §2): T = 1, direct (analog) input, every
 * hidden activation a `general` neuron with the sin/cos projection over four windows (decay
 * 0.4, V_th 0.5, hard reset, rectangular surrogate: the schema's defaults), the output an
 * integrator read at U(1), softmax CE. Trained with BPTT (at T = 1: backprop through the
 * surrogate) from the random init (default) or, with --init ann, from the trained ANN's
 * weights with V_th balanced per layer. Choices are documented in apps/cli/METHODS.md.
 */
import { createEncoder } from '@spikelite/encoding';
import { SnnModel } from '@spikelite/models';
import { NeuronSpec, TrainConfig, parseWith } from '@spikelite/schemas';
import { snnTarget } from '@spikelite/training';
import { scaleOutputLayer } from '@spikelite/conversion';
import { balanceInto, resumes, trainAnnStage, trainStage, type MethodContext, type MethodResult, type TrainMethodDefinition } from './context.js';

/** Where the SNN stage starts when --init is not given (measured: see METHODS.md). */
export const GENERAL_DEFAULT_INIT: 'ann' | 'scratch' = 'scratch';
/** With --init ann: V_th = this × the balanced threshold (--scale). */
export const GENERAL_DEFAULT_SCALE = 0.5;
/** Adam learning rate of the SNN stage (--lr). */
export const GENERAL_DEFAULT_LR = 1e-3;

export function generalNeuron(): NeuronSpec {
  return parseWith(NeuronSpec, { kind: 'general', projection: 'sincos' }, 'neuron');
}

export interface GeneralRun {
  result: MethodResult;
  snn: SnnModel;
}

export async function trainGeneral(ctx: MethodContext): Promise<GeneralRun> {
  const { timesteps, epochs, batch, seed } = ctx.flags;
  if (timesteps !== 1) ctx.log.info(`general: running at T = ${timesteps}; the method (SPEC §2) is defined at T = 1`);
  const init = ctx.flags.init ?? GENERAL_DEFAULT_INIT;
  const ann = init === 'ann' ? await trainAnnStage(ctx, ctx.flags.annEpochs, ctx.flags.annLr) : null;
  const neuron = generalNeuron();
  const encoding = { kind: 'direct' } as const;
  const snn = new SnnModel(ctx.net, { timesteps, neuron, encoder: createEncoder(encoding, { timesteps }) });
  if (init === 'ann') {
    await balanceInto(ctx, snn, ctx.flags.scale ?? GENERAL_DEFAULT_SCALE);
    if (!resumes(ctx, 'snn')) {
      const factor = scaleOutputLayer(snn);
      if (factor !== null) ctx.log.info(`output layer weights × ${factor.toFixed(4)} (V_th of the last hidden layer)`);
    }
  }
  const config = parseWith(
    TrainConfig,
    {
      method: 'general', timesteps, epochs, batchSize: batch, seed, neuron, encoding,
      optimizer: { kind: 'adam', lr: ctx.flags.lr ?? GENERAL_DEFAULT_LR },
      loss: { kind: 'ce', on: 'final' },
    },
    'train config',
  );
  const r = await trainStage(ctx, 'snn', snnTarget(snn, config.loss), config, { spec: ctx.spec, method: 'general', neuron, encoding });
  ctx.log.info(`spikes per hidden neuron per layer: ${(r.final.perLayer ?? []).map((l) => l.spikesPerNeuron.toFixed(4)).join(', ')}`);
  return {
    result: { result: r.final, annAccuracy: ann?.final.accuracy ?? null, timesteps, input: { analogSteps: timesteps, inputSpikesPerElement: 0 } },
    snn,
  };
}

export const generalMethod: TrainMethodDefinition = {
  about: 'general SNN at one timestep: sin/cos-projection neurons, direct input, BPTT (from scratch, or --init ann)',
  async run(ctx) {
    return (await trainGeneral(ctx)).result;
  },
};
