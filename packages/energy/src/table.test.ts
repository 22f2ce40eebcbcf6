import { compileGraph, presetSpec } from '@spikelite/models';
import { CMOS45NM_FP32 } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { accountEnergy, computeEnergy } from './count.js';
import { energyTable, formatCount } from './table.js';

// fmnist-small with the spike rates of a measured DIET run (T = 5).
const graph = compileGraph(presetSpec('fmnist-small'));
const input = { graph, spikesPerNeuron: [0.94, 1.398, 1.2257], input: { analogSteps: 5, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 };

describe('energyTable', () => {
  it('formats counts with 4 significant digits', () => {
    expect([formatCount(0), formatCount(12), formatCount(1568.88), formatCount(225792), formatCount(338.4e6), formatCount(0.5)]).toEqual(['0', '12', '1.569k', '225.8k', '338.4M', '0.500']);
  });

  it('one row per weight layer, a total row, and the ratio', () => {
    const e = computeEnergy(input);
    const lines = energyTable(e).split('\n');
    expect(lines[0]).toMatch(/^layer\s+ANN MACs\s+SNN ACs\s+SNN MACs\s+SNN pJ$/);
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `))!.trim().split(/\s+/);
    expect(row('layers.0')).toEqual(['layers.0', '225.8k', '0', '1.129M', '5.193M']);
    expect(row('total')[1]).toBe('4.241M');
    expect(lines.at(-1)).toBe(`energy [cmos45nm-fp32]: ANN 19.51M pJ, SNN ${formatCount(e.snnPj)} pJ, ratio ${e.ratio.toPrecision(3)}× (ANN / SNN)`);
    // A RunReport (anything with `energy`) gives the same table.
    expect(energyTable({ energy: e })).toBe(energyTable(e));
  });

  it('says so when the SNN costs more than the ANN', () => {
    const e = computeEnergy({ ...input, spikesPerNeuron: [30, 30, 30], input: { analogSteps: 30, inputSpikesPerElement: 0 } });
    expect(e.ratio).toBeLessThan(1);
    expect(energyTable(e)).toMatch(/ratio 0\.\d+×: the SNN costs MORE than the ANN/);
  });

  it('a full account adds the separate counts and the alternatives', () => {
    const lif = { ops: { mul: 1, add: 2, compare: 1 }, steps: 5, kind: 'lif' };
    const text = energyTable(accountEnergy({ ...input, neuronUpdates: { layers: [lif, lif, lif] } }));
    expect(text).toMatch(/compute energy: MACs and ACs only/);
    expect(text).toMatch(/layer-1 input: analog input at all 5 steps/);
    expect(text).toMatch(/counting F_1 once instead: SNN \S+ pJ, ratio/);
    expect(text).toMatch(/neuron updates \(not included above; costed by ops/);
    expect(text).toMatch(/layers\.1 \[lif\]: 25\.09k neurons × 5 steps/);
    expect(text).toMatch(/pooling \(not included above\)/);
    expect(text).toMatch(/everything counted: ANN/);
  });
});
