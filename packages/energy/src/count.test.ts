import { compileGraph, presetSpec } from '@spikelite/models';
import { CMOS45NM_FP32, ModelSpec, parseWith } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { computeEnergy, macsPerLayer } from './count.js';

describe('MAC counting', () => {
  it('DIET CIFAR VGG16 (10 classes): 338.4M MACs, conv1 1.77M (SPEC "Energy accounting")', () => {
    const macs = macsPerLayer(compileGraph(presetSpec('vgg16', { dropout: 0 })));
    expect(macs[0]!.macs).toBe(3 * 3 * 3 * 64 * 32 * 32); // 1,769,472
    expect(macs.reduce((a, m) => a + m.macs, 0) / 1e6).toBeCloseTo(338.4, 1);
  });
});

describe('computeEnergy', () => {
  // conv 1→2 (3x3, same) on 4x4 → act → flatten → linear 32→3.
  const spec = parseWith(ModelSpec, {
    input: { channels: 1, height: 4, width: 4 },
    classes: 3,
    layers: [
      { kind: 'conv2d', filters: 2, kernelSize: 3 },
      { kind: 'activation', fn: 'relu' },
      { kind: 'flatten' },
      { kind: 'linear', units: 3 },
    ],
  }, 'test');
  const graph = compileGraph(spec);

  it('hand-worked: direct input at T=5, 0.4 spikes per neuron', () => {
    const r = computeEnergy({ graph, spikesPerNeuron: [0.4], input: { analogSteps: 5, inputSpikesPerElement: 0 }, profile: CMOS45NM_FP32 });
    // conv: 3·3·1·2·4·4 = 288 MACs; linear: 32·3 = 96 MACs.
    expect(r.perLayer.map((l) => l.annMacs)).toEqual([288, 96]);
    expect(r.annPj).toBeCloseTo(384 * 4.6, 9);
    // SNN: conv 288·5 MACs (analog every step); linear 96·0.4 ACs.
    expect(r.perLayer[0]).toMatchObject({ snnMacs: 1440, snnAcs: 0 });
    expect(r.perLayer[1]!.snnAcs).toBeCloseTo(38.4, 9);
    expect(r.snnPj).toBeCloseTo(1440 * 4.6 + 38.4 * 0.9, 9);
    expect(r.ratio).toBeCloseTo(r.annPj / r.snnPj, 12);
    // An SNN can cost more than its ANN, and the report must show it.
    expect(r.ratio).toBeLessThan(1);
  });

  it('hybrid input: one analog step plus temporal spikes as ACs', () => {
    const r = computeEnergy({ graph, spikesPerNeuron: [0.2], input: { analogSteps: 1, inputSpikesPerElement: 0.5 }, profile: CMOS45NM_FP32 });
    expect(r.perLayer[0]).toMatchObject({ snnMacs: 288, snnAcs: 144 });
  });
});
