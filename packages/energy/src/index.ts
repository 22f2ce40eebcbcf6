export { computeEnergy, macsPerLayer } from './count.js';
export type { EnergyInput, EnergyReport, LayerOps } from './count.js';
