import { compileGraph, presetSpec } from '@spikelite/models';
import { accountEnergy, energyTable, loadEnergyProfile } from '@spikelite/energy';

export async function readmeExample() {
  const graph = compileGraph(presetSpec('fmnist-small'));
  const lif = { ops: { mul: 1, add: 2, compare: 1 }, steps: 5, kind: 'lif' }; // getNeuronDefinition('lif').updateOps
  const account = accountEnergy({
    graph,
    spikesPerNeuron: [0.94, 1.398, 1.226],             // measured: spikes per neuron per image, T = 5
    input: { analogSteps: 5, inputSpikesPerElement: 0 }, // DIET direct input
    profile: await loadEnergyProfile('cmos45nm-fp32'),
    neuronUpdates: { layers: [lif, lif, lif], output: { ops: { mul: 0, add: 1, compare: 0 }, steps: 5 } },
  });
  console.error(energyTable(account));
  // total  4.241M ANN MACs; SNN 3.959M ACs + 1.129M MACs = 8.756M pJ; ratio 2.23×
  // counting F_1 once instead: 4.601M pJ, ratio 4.24×; neuron updates 1.208M pJ (not included)
  console.log(JSON.stringify(account.energy)); // the RunReport `energy` object
  return account;
}
