import type { TrainMethodDefinition } from './context.js';
import { annMethod } from './ann.js';
import { dietMethod } from './diet.js';
import { generalMethod } from './general.js';
import { hybridMethod } from './hybrid.js';

/** `spikelite train --method <name>`: adding a method is one file and one line here. */
export const TRAIN_METHODS: Record<string, TrainMethodDefinition> = {
  ann: annMethod,
  diet: dietMethod,
  hybrid: hybridMethod,
  general: generalMethod,
};
