/** @spikelite/losses: training losses on the output layer's trace over T timesteps. */
export { createLoss, lossRegistry, ceLossDefinition, spikeTimeCeLossDefinition, spikeCountLossDefinition, fsFitLossDefinition } from './registry.js';
export { membraneCe, softmaxCe, finalMembrane } from './ce.js';
export type { MembraneCeOptions } from './ce.js';
export { spikeTimeCe, firstSpikeTimes } from './spike-time.js';
export type { SpikeTimeCeOptions, SpikeTimes } from './spike-time.js';
export { spikeCountLoss } from './spike-count.js';
export type { SpikeCountOptions } from './spike-count.js';
export { fsFitLoss } from './fs-fit.js';
export { toTargets } from './targets.js';
export { LossError } from './errors.js';
export type { FsFitInputs, Loss, LossContext, LossDefinition, LossFn, LossInputs, LossNeed } from './types.js';
