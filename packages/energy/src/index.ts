// @spikelite/energy: op counting (MACs, ACs, neuron updates, pooling, residual adds) and
// hardware energy profiles. See README.md for the formulas and each paper's conventions.
export { accountAnnEnergy, accountEnergy, computeEnergy, describeInput, macsPerLayer, mulPj, opsPj, RELU_OPS } from './count.js';
export type {
  AnalogInputLayer,
  EnergyAccount,
  EnergyInput,
  EnergyReport,
  LayerOps,
  LayerUpdates,
  NeuronUpdateOps,
  NeuronUpdateRow,
  PoolingRow,
  ResidualRow,
  Totals,
} from './count.js';
export { ENERGY_PROFILE_NAMES, loadEnergyProfile, parseEnergyProfile } from './profiles.js';
export { describeRatio, energyTable, formatCount } from './table.js';
