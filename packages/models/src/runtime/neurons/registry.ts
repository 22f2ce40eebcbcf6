/** The runtime's neuron handlers by neuron kind; other kinds (FS, general, NIR) stay on SnnModel.forward. */
import { integratorHandler } from './integrator.js';
import { lifHandler } from './lif.js';
import { singleSpikeHandler } from './single-spike.js';
import type { NeuronHandler } from './types.js';

export const runtimeNeurons: ReadonlyMap<string, NeuronHandler> = new Map(
  [lifHandler, singleSpikeHandler, integratorHandler].flatMap((h) => h.kinds.map((k) => [k, h] as const)),
);
