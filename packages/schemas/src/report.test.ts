import { describe, expect, it } from 'vitest';
import { RunReport } from './report.js';
import { parseWith } from './validate.js';

const report = {
  schemaVersion: 1,
  command: 'train',
  method: 'diet',
  dataset: { name: 'fashion-mnist', trainSize: 60000, testSize: 10000 },
  timesteps: 5,
  backend: 'wasm',
  accuracy: 0.8912,
  annAccuracy: 0.9034,
  spikes: {
    perNeuron: 0.62,
    rate: 0.124,
    perLayer: [
      { layer: 'conv1', neurons: 25088, spikesPerNeuron: 0.8, rate: 0.16 },
      { layer: 'fc1', neurons: 128, spikesPerNeuron: 0.35, rate: 0.07 },
    ],
  },
  energy: {
    profile: 'cmos45nm-fp32',
    annPj: 4.6e7,
    snnPj: 3.0e6,
    ratio: 4.6e7 / 3.0e6,
    perLayer: [
      { layer: 'conv1', annMacs: 5e6, snnAcs: 0, snnMacs: 5e6, snnPj: 2.3e7 },
      { layer: 'fc1', annMacs: 5e6, snnAcs: 3.1e6, snnMacs: 0, snnPj: 2.79e6 },
    ],
  },
  wallMs: 123456.7,
};

const clone = (): typeof report => structuredClone(report);

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('RunReport', () => {
  it('accepts a valid report and round-trips it', () => {
    const a = RunReport.parse(report);
    expect(a).toStrictEqual(report);
    expect(RunReport.parse(JSON.parse(JSON.stringify(a)))).toStrictEqual(a);
    const ann = { ...clone(), method: 'ann', annAccuracy: null };
    expect(RunReport.parse(ann).annAccuracy).toBeNull();
  });

  it('fails when ratio is not annPj / snnPj', () => {
    const r = clone();
    r.energy.ratio = 15;
    expect(message(() => parseWith(RunReport, r, 'report'))).toBe(
      `report: energy.ratio: ratio 15 is not annPj / snnPj = 46000000 / 3000000 = ${4.6e7 / 3.0e6}`,
    );
    // Within 1e-9 relative is accepted.
    r.energy.ratio = (4.6e7 / 3.0e6) * (1 + 5e-10);
    expect(RunReport.safeParse(r).success).toBe(true);
    r.energy.ratio = (4.6e7 / 3.0e6) * (1 + 5e-9);
    expect(RunReport.safeParse(r).success).toBe(false);
  });

  it('uses ratio 0 when snnPj is 0', () => {
    const r = clone();
    r.energy.snnPj = 0;
    r.energy.ratio = 0;
    expect(RunReport.safeParse(r).success).toBe(true);
    r.energy.ratio = 1;
    expect(message(() => parseWith(RunReport, r, 'report'))).toBe('report: energy.ratio: ratio must be 0 when snnPj is 0, got 1');
  });

  it('rejects extra fields at any level', () => {
    expect(message(() => parseWith(RunReport, { ...clone(), notes: 'hi' }, 'report'))).toBe('report: notes: unknown field');
    const r = clone() as unknown as { spikes: { perLayer: Record<string, unknown>[] }; dataset: Record<string, unknown> };
    r.spikes.perLayer[1]!.extra = 1;
    r.dataset.classes = 10;
    expect(message(() => parseWith(RunReport, r, 'report')).split('\n')).toEqual([
      'report: dataset.classes: unknown field',
      'report: spikes.perLayer.1.extra: unknown field',
    ]);
  });

  it('checks ranges and required fields', () => {
    const r = clone() as Record<string, unknown>;
    r.accuracy = 89.1;
    r.schemaVersion = 2;
    delete r.wallMs;
    expect(message(() => parseWith(RunReport, r, 'report')).split('\n')).toEqual([
      'report: schemaVersion: expected 1, got 2',
      'report: accuracy: expected a number in [0, 1], got 89.1',
      'report: wallMs: missing (expected a non-negative number)',
    ]);
  });
});
