import type { TrainMethodDefinition } from './context.js';
import { trainAnnStage } from './context.js';

/** `--method ann`: the ANN alone, trained for --epochs. */
export const annMethod: TrainMethodDefinition = {
  about: 'the ANN alone',
  async run(ctx) {
    const r = await trainAnnStage(ctx, ctx.flags.epochs, ctx.flags.lr ?? ctx.flags.annLr);
    return { result: r.final, annAccuracy: null, timesteps: 1, input: { analogSteps: 1, inputSpikesPerElement: 0 } };
  },
};
