import { compileGraph, presetSpec } from '@spikelite/models';
import { CMOS45NM_FP32, CMOS45NM_INT32, ModelSpec, parseWith, RunReport, type EnergyProfile, type ModelSpecInput } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { accountAnnEnergy, accountEnergy, computeEnergy, macsPerLayer, type EnergyAccount, type EnergyInput, type Totals } from './count.js';

const LIF = { mul: 1, add: 2, compare: 1 };
const INTEGRATOR = { mul: 0, add: 1, compare: 0 };
const FS = { mul: 0, add: 1, compare: 1 };

const graphOf = (spec: Omit<ModelSpecInput, 'input' | 'classes'> & Partial<ModelSpecInput>) =>
  compileGraph(parseWith(ModelSpec, { input: { channels: 1, height: 4, width: 4 }, classes: 3, ...spec }, 'test'));

/** Every ratio in an account is exactly annPj / snnPj (0 when snnPj is 0). */
function expectRatiosExact(a: EnergyAccount): void {
  const all: Totals[] = [a.energy, a.compute, a.total, a.alternatives.firstLayerOnce, ...(a.alternatives.gradedSpikes ? [a.alternatives.gradedSpikes] : [])];
  for (const t of all) expect(t.ratio).toBe(t.snnPj > 0 ? t.annPj / t.snnPj : 0);
}

describe('MAC counting', () => {
  it('DIET CIFAR VGG16 (10 classes): 338.4M MACs, conv1 1.77M (SPEC "Energy accounting")', () => {
    const macs = macsPerLayer(compileGraph(presetSpec('vgg16', { dropout: 0 })));
    expect(macs[0]!.macs).toBe(3 * 3 * 3 * 64 * 32 * 32); // 1,769,472
    expect(macs.reduce((a, m) => a + m.macs, 0) / 1e6).toBeCloseTo(338.4, 1);
  });

  it('fmnist-small: 225,792 + 3,612,672 + 401,408 + 1,280 = 4,241,152 MACs', () => {
    const macs = macsPerLayer(compileGraph(presetSpec('fmnist-small')));
    expect(macs.map((m) => m.macs)).toEqual([3 * 3 * 1 * 32 * 28 * 28, 3 * 3 * 32 * 64 * 14 * 14, 7 * 7 * 64 * 128, 128 * 10]);
    expect(macs.reduce((a, m) => a + m.macs, 0)).toBe(4_241_152);
  });
});

describe('computeEnergy', () => {
  // conv 1→2 (3x3, same) on 4x4 → act → flatten → linear 32→3.
  const graph = graphOf({
    layers: [{ kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'flatten' }, { kind: 'linear', units: 3 }],
  });

  it('hand-worked: direct input at T=5, 0.4 spikes per neuron', () => {
    const r = computeEnergy({ graph, spikesPerNeuron: [0.4], input: { analogSteps: 5, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 });
    // conv: 3·3·1·2·4·4 = 288 MACs; linear: 32·3 = 96 MACs.
    expect(r.perLayer.map((l) => l.annMacs)).toEqual([288, 96]);
    expect(r.annPj).toBeCloseTo(384 * 4.6, 9);
    // SNN: conv 288·5 MACs (analog every step); linear 96·0.4 ACs.
    expect(r.perLayer[0]).toMatchObject({ snnMacs: 1440, snnAcs: 0 });
    expect(r.perLayer[1]!.snnAcs).toBeCloseTo(38.4, 9);
    expect(r.snnPj).toBeCloseTo(1440 * 4.6 + 38.4 * 0.9, 9);
    expect(r.ratio).toBe(r.annPj / r.snnPj);
    // An SNN can cost more than its ANN, and the report must show it.
    expect(r.ratio).toBeLessThan(1);
    // The object is exactly the RunReport `energy` object (strict schema: no extra fields).
    expect(RunReport.shape.energy.parse(r)).toStrictEqual(r);
  });

  it('hybrid input: one analog step plus temporal spikes as ACs, per timestep', () => {
    const a = accountEnergy({
      graph, spikesPerNeuron: [0.2], profile: CMOS45NM_FP32, timesteps: 5,
      input: { analogSteps: 1, inputSpikesPerElement: 0.5, spikesPerElementByStep: [0, 0.2, 0.2, 0.1, 0] },
    });
    expect(a.energy.perLayer[0]).toMatchObject({ snnMacs: 288, snnAcs: 144 });
    const layer = a.analogInput.layers[0]!;
    expect(layer.perTimestep.map((s) => s.macs)).toEqual([288, 0, 0, 0, 0]);
    expect(layer.perTimestep.map((s) => s.acs)).toEqual([0, 288 * 0.2, 288 * 0.2, 288 * 0.1, 0]);
    expect(a.analogInput.convention).toMatch(/first step only/);
    // F_1 is already counted once: the alternative equals the headline.
    expect(a.alternatives.firstLayerOnce.snnPj).toBe(a.energy.snnPj);
    expectRatiosExact(a);
  });

  it('direct input: per-timestep MACs and the "count F_1 once" alternative', () => {
    const a = accountEnergy({ graph, spikesPerNeuron: [0.4], input: { analogSteps: 5, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 });
    expect(a.timesteps).toBe(5);
    expect(a.analogInput.layers[0]!.perTimestep).toEqual([1, 2, 3, 4, 5].map((t) => ({ t, macs: 288, acs: 0 })));
    expect(a.alternatives.firstLayerOnce.snnPj).toBeCloseTo(288 * 4.6 + 38.4 * 0.9, 9);
    expect(a.alternatives.firstLayerOnce.ratio).toBeGreaterThan(a.energy.ratio);
    expectRatiosExact(a);
  });

  it('rate input: every layer does ACs (ICLR 2020 Poisson)', () => {
    const r = computeEnergy({ graph, spikesPerNeuron: [0.4], input: { analogSteps: 0, inputSpikesPerElement: 2.5 }, profile: CMOS45NM_FP32 });
    expect(r.perLayer[0]).toMatchObject({ snnMacs: 0, snnAcs: 720 });
  });

  it('FS neurons: graded spikes cost MACs (one weight copy) or ACs (K copies), K updates per neuron', () => {
    const fs: EnergyInput = {
      graph, spikesPerNeuron: [1.4], input: { analogSteps: 1, inputSpikesPerElement: 0 }, gradedSpikes: true, profile: CMOS45NM_FP32,
      neuronUpdates: { layers: [{ ops: FS, steps: 10, kind: 'fs' }] },
    };
    const a = accountEnergy(fs);
    expect(a.energy.perLayer[1]!.snnMacs).toBeCloseTo(96 * 1.4, 9);
    expect(a.energy.snnPj).toBeCloseTo(288 * 4.6 + 134.4 * 4.6, 9);
    // ζ = 1.4 graded spikes as MACs: more than the ANN's one MAC per synapse.
    expect(a.energy.ratio).toBeLessThan(1);
    expect(a.alternatives.gradedSpikes!.cost).toBe('ac');
    expect(a.alternatives.gradedSpikes!.snnPj).toBeCloseTo(288 * 4.6 + 134.4 * 0.9, 9);
    expect(a.alternatives.gradedSpikes!.ratio).toBeGreaterThan(1);
    // 32 neurons × K=10 steps × (1 add + 1 compare) at 0.9 pJ.
    expect(a.neuronUpdates!.perLayer[0]).toMatchObject({ kind: 'fs', neurons: 32, steps: 10, mul: 0, add: 320, compare: 320 });
    expect(a.neuronUpdates!.snnPj).toBeCloseTo(640 * 0.9, 9);
    const asAc = accountEnergy({ ...fs, gradedSpikeCost: 'ac' });
    expect(asAc.energy.snnPj).toBeCloseTo(a.alternatives.gradedSpikes!.snnPj, 9);
    expect(asAc.alternatives.gradedSpikes!.snnPj).toBeCloseTo(a.energy.snnPj, 9);
    expectRatiosExact(a);
    expectRatiosExact(asAc);
  });

  it('measured input events of a weight layer replace ζ of its source (a max pool passes an OR of its window)', () => {
    // conv 1→2 on 4x4 (288 MACs) → act (32 neurons) → maxPool 2 (8 out) → flatten → linear 8→3 (24 MACs).
    const pooled = graphOf({
      layers: [{ kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'maxPool', poolSize: 2 }, { kind: 'flatten' }, { kind: 'linear', units: 3 }],
    });
    const base = { graph: pooled, spikesPerNeuron: [0.25], input: { analogSteps: 2, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 };
    // From ζ: 24 · 0.25 = 6 ACs. Measured: 0.75 spikes per pooled element arrive → 24 · 0.75 = 18 ACs.
    expect(computeEnergy(base).perLayer[1]!.snnAcs).toBeCloseTo(6, 9);
    const m = computeEnergy({ ...base, inputEventsPerElement: [null, 0.75] });
    expect(m.perLayer[1]!.snnAcs).toBeCloseTo(18, 9);
    // The input-fed layer keeps its analog MACs whatever is given for it.
    expect(m.perLayer[0]).toMatchObject({ snnMacs: 576, snnAcs: 0 });
    expect(m.snnPj).toBeCloseTo(576 * 4.6 + 18 * 0.9, 9);
    // Graded (FS) spikes are costed from ζ: a graded pooled value is not a count of events.
    expect(computeEnergy({ ...base, gradedSpikes: true, inputEventsPerElement: [null, 0.75] }).perLayer[1]!.snnMacs).toBeCloseTo(6, 9);
    expect(() => computeEnergy({ ...base, inputEventsPerElement: [0.75] })).toThrow('computeEnergy: inputEventsPerElement has 1 entries but the graph has 2 weight layers');
    expect(() => computeEnergy({ ...base, inputEventsPerElement: [null, -1] })).toThrow(/inputEventsPerElement\[1\]/);
  });

  it('rejects spike counts that do not match the activation layers', () => {
    expect(() => computeEnergy({ graph, spikesPerNeuron: [], input: { analogSteps: 1, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 })).toThrow(
      'computeEnergy: spikesPerNeuron has 0 entries but the graph has 1 activation layers',
    );
    expect(() => computeEnergy({ graph, spikesPerNeuron: [-1], input: { analogSteps: 1, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 })).toThrow(/spikesPerNeuron\[0\]/);
  });
});

describe('neuron updates and pooling (reported separately)', () => {
  // conv 1→2 (288 MACs) → act0 (32 neurons) → avgPool 2 (8 out) → flatten → linear 8→4 (32) → act1 (4) → linear 4→3 (12).
  const graph = graphOf({
    layers: [
      { kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'avgPool', poolSize: 2 },
      { kind: 'flatten' }, { kind: 'linear', units: 4 }, { kind: 'activation', fn: 'relu' }, { kind: 'linear', units: 3 },
    ],
  });
  const input = (profile: EnergyProfile, includeNeuronUpdates = false): EnergyInput => ({
    graph, spikesPerNeuron: [0.5, 2], input: { analogSteps: 4, inputSpikesPerElement: 0 }, profile, includeNeuronUpdates,
    neuronUpdates: { layers: [{ ops: LIF, steps: 4, kind: 'lif' }, { ops: LIF, steps: 4, kind: 'lif' }], output: { ops: INTEGRATOR, steps: 4, kind: 'integrator' } },
  });

  it('hand-worked, FP32, T=4: the headline is compute energy only', () => {
    const a = accountEnergy(input(CMOS45NM_FP32));
    // Synapses: conv 288·4 MACs; linear1 32·0.5 ACs (ζ of act0, counted before the pool); linear2 12·2 ACs.
    expect(a.energy.perLayer.map((l) => [l.annMacs, l.snnMacs, l.snnAcs])).toEqual([[288, 1152, 0], [32, 0, 16], [12, 0, 24]]);
    expect(a.energy.annPj).toBeCloseTo(332 * 4.6, 9); // 1527.2
    expect(a.energy.snnPj).toBeCloseTo(1152 * 4.6 + 40 * 0.9, 9); // 5335.2
    expect(a.compute).toEqual({ annPj: a.energy.annPj, snnPj: a.energy.snnPj, ratio: a.energy.ratio });
    // Neuron updates: LIF (1 mul, 2 add, 1 compare) × neurons × 4 steps; mul = 4.6 − 0.9 = 3.7 pJ.
    const nu = a.neuronUpdates!;
    expect(nu.costing).toBe('ops');
    expect(nu.perLayer.map((r) => [r.neurons, r.mul, r.add, r.compare])).toEqual([[32, 128, 256, 128], [4, 16, 32, 16], [3, 0, 12, 0]]);
    expect(nu.perLayer[0]!.snnPj).toBeCloseTo(128 * 3.7 + 384 * 0.9, 9); // 819.2
    expect(nu.perLayer[1]!.snnPj).toBeCloseTo(16 * 3.7 + 48 * 0.9, 9); // 102.4
    expect(nu.perLayer[2]!.snnPj).toBeCloseTo(12 * 0.9, 9); // output integrator: 10.8
    expect(nu.snnPj).toBeCloseTo(932.4, 9);
    expect(nu.annPj).toBeCloseTo(36 * 0.9, 9); // one ReLU compare per hidden neuron
    // avgPool: 8 outputs × 4 inputs = 32 adds in the ANN; 32 × ζ0 = 16 spike-driven adds in the SNN.
    expect(a.pooling.perLayer).toEqual([{ layer: 'layers.2', op: 'avgPool', annOps: 32, snnOps: 16, annPj: 32 * 0.9, snnPj: 16 * 0.9 }]);
    expect(a.residual.perLayer).toEqual([]);
    expect(a.total.annPj).toBeCloseTo(1527.2 + 32.4 + 28.8, 9);
    expect(a.total.snnPj).toBeCloseTo(5335.2 + 932.4 + 14.4, 9);
    expect(a.energy.snnPj).toBeLessThan(a.total.snnPj);
    expectRatiosExact(a);
  });

  it('includeNeuronUpdates puts the extras into the headline', () => {
    const a = accountEnergy(input(CMOS45NM_FP32, true));
    expect(a.energy.annPj).toBeCloseTo(1588.4, 9);
    expect(a.energy.snnPj).toBeCloseTo(6282, 9);
    expect(a.energy.ratio).toBe(a.total.ratio);
    // "F_1 once" on the same basis: 3 of the 4 analog steps fewer.
    expect(a.alternatives.firstLayerOnce.snnPj).toBeCloseTo(6282 - 288 * 3 * 4.6, 9);
    expect(computeEnergy(input(CMOS45NM_FP32, true))).toStrictEqual(a.energy);
    expectRatiosExact(a);
  });

  it('INT32 costs each op by the profile (mul 3.1, add/compare 0.1 pJ)', () => {
    const a = accountEnergy(input(CMOS45NM_INT32));
    expect(a.energy.snnPj).toBeCloseTo(1152 * 3.2 + 40 * 0.1, 9);
    expect(a.neuronUpdates!.perLayer[0]!.snnPj).toBeCloseTo(128 * 3.1 + 384 * 0.1, 9);
    expectRatiosExact(a);
  });

  it("a profile's neuronUpdatePj costs one neuron update (one neuron, one step)", () => {
    const a = accountEnergy(input({ ...CMOS45NM_FP32, name: 'lumped', neuronUpdatePj: 2 }));
    expect(a.neuronUpdates!.costing).toBe('neuronUpdatePj');
    expect(a.neuronUpdates!.perLayer.map((r) => r.snnPj)).toEqual([32 * 4 * 2, 4 * 4 * 2, 3 * 4 * 2]);
  });

  it('rejects update ops that do not match the activation layers', () => {
    expect(() => accountEnergy({ ...input(CMOS45NM_FP32), neuronUpdates: { layers: [{ ops: LIF, steps: 4 }] } })).toThrow(/neuronUpdates.layers has 1 entries/);
  });
});

describe('residual adds', () => {
  // conv 1→2 → act0 → residual{ conv 2→2 → act1 → conv 2→2 ; shortcut } → act2 → flatten → linear 32→3.
  const spec = (shortcut: ModelSpecInput['layers']) =>
    graphOf({
      layers: [
        { kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'activation', fn: 'relu' },
        {
          kind: 'residual',
          body: [{ kind: 'conv2d', filters: 2, kernelSize: 3 }, { kind: 'activation', fn: 'relu' }, { kind: 'conv2d', filters: 2, kernelSize: 3 }],
          shortcut,
        },
        { kind: 'activation', fn: 'relu' }, { kind: 'flatten' }, { kind: 'linear', units: 3 },
      ],
    });

  it('identity shortcut: one add per arriving spike; conv shortcut: one add per element per step', () => {
    const base = { spikesPerNeuron: [1, 0.5, 0.25], input: { analogSteps: 3, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 };
    const id = accountEnergy({ graph: spec([]), ...base });
    // Body convs: 3·3·2·2·4·4 = 576 MACs each, fed by act0 (ζ 1) and act1 (ζ 0.5); linear by act2 (ζ 0.25).
    expect(id.energy.perLayer.map((l) => [l.annMacs, l.snnAcs])).toEqual([[288, 0], [576, 576], [576, 288], [96, 24]]);
    expect(id.residual.perLayer).toEqual([{ layer: 'layers.2', shortcut: 'identity', annAdds: 32, snnAdds: 32, annPj: 32 * 0.9, snnPj: 32 * 0.9 }]);
    const conv = accountEnergy({ graph: spec([{ kind: 'conv2d', filters: 2, kernelSize: 1 }]), ...base });
    expect(conv.energy.perLayer.find((l) => l.layer === 'layers.2.shortcut.0')).toMatchObject({ annMacs: 64, snnAcs: 64 });
    expect(conv.residual.perLayer[0]).toMatchObject({ shortcut: 'conv', annAdds: 32, snnAdds: 96 });
    expect(conv.total.snnPj - conv.compute.snnPj).toBeCloseTo(96 * 0.9, 9);
    expectRatiosExact(id);
    expectRatiosExact(conv);
  });
});

describe('accountAnnEnergy: an ANN costed as itself', () => {
  it('ratio is exactly 1 with and without the extras (ResNet20: pools, residuals, conv shortcuts)', () => {
    const graph = compileGraph(presetSpec('resnet20', { dropout: 0 }));
    for (const includeNeuronUpdates of [false, true]) {
      const a = accountAnnEnergy({ graph, profile: CMOS45NM_FP32, includeNeuronUpdates });
      expect(a.energy.snnPj).toBe(a.energy.annPj);
      expect(a.energy.ratio).toBe(1);
      expect(a.total.ratio).toBe(1);
      expect(a.alternatives.gradedSpikes).toBeNull();
      expect(a.energy.perLayer.every((l) => l.snnMacs === l.annMacs && l.snnAcs === 0)).toBe(true);
      expect(a.residual.perLayer.length).toBe(8);
      expectRatiosExact(a);
    }
  });
});
