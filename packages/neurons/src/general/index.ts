export { sincosProjection, generalSpikeFunction, generalMembrane, generalStep } from './core.js';
export type { GeneralParams, GeneralState, GeneralProjection } from './core.js';
export { generalSplitWindows, generalWindowGrid } from './windows.js';
export type { GeneralWindowSplit } from './windows.js';
export { GeneralLayer } from './layer.js';
export { generalNeuron } from './definition.js';
