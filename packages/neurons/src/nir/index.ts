// NIR's continuous-time neurons, discretised with an explicit dt (see step.ts, conventions.ts).
export { nirLifNeuron } from './lif.js';
export { nirIfNeuron } from './if.js';
export { nirLiNeuron } from './li.js';
export { nirINeuron } from './i.js';
export { nirCubaLifNeuron } from './cuba-lif.js';
export { nirCubaLiNeuron } from './cuba-li.js';
export { nirThresholdNeuron } from './threshold.js';
export { NirNeuronLayer } from './layer.js';
export type { NirNeuronSpec } from './layer.js';
export { nirNeuronStep, nirNeuronInitState } from './step.js';
export type { NirStepParams, NirNeuronState } from './step.js';
export { nirConventions, integratorGain, discreteToNir } from './conventions.js';
export type { NirConventionDefinition } from './conventions.js';
