import { describe, expect, it } from 'vitest';
import { CMOS45NM_FP32, CMOS45NM_INT32, DEFAULT_ENERGY_PROFILE, ENERGY_PROFILES, EnergyProfile } from './energy.js';
import { parseWith } from './validate.js';

describe('EnergyProfile', () => {
  it('has the Horowitz 45 nm constants (SPEC "Energy accounting")', () => {
    expect(CMOS45NM_FP32).toEqual({ name: 'cmos45nm-fp32', macPj: 4.6, acPj: 0.9, neuronUpdatePj: 0 });
    expect(CMOS45NM_INT32).toEqual({ name: 'cmos45nm-int32', macPj: 3.2, acPj: 0.1, neuronUpdatePj: 0 });
    expect(ENERGY_PROFILES['cmos45nm-fp32']).toBe(CMOS45NM_FP32);
    expect(ENERGY_PROFILES['cmos45nm-int32']).toBe(CMOS45NM_INT32);
    expect(DEFAULT_ENERGY_PROFILE).toBe(CMOS45NM_FP32);
    expect(Object.isFrozen(CMOS45NM_FP32)).toBe(true);
    // The constants are themselves valid profiles.
    for (const p of Object.values(ENERGY_PROFILES)) expect(EnergyProfile.parse(p)).toStrictEqual(p);
  });

  it('round-trips and fills defaults', () => {
    const a = EnergyProfile.parse({ name: 'loihi-ish', macPj: 2, acPj: 0.02, memoryPj: 5 });
    expect(a).toStrictEqual({ name: 'loihi-ish', macPj: 2, acPj: 0.02, neuronUpdatePj: 0, memoryPj: 5 });
    expect(EnergyProfile.parse(JSON.parse(JSON.stringify(a)))).toStrictEqual(a);
  });

  it('rejects negative costs and a missing name', () => {
    expect(() => parseWith(EnergyProfile, { macPj: -1, acPj: 0.9 }, 'profile.json')).toThrow(
      'profile.json: name: missing (expected a non-empty string)\nprofile.json: macPj: expected a non-negative number, got -1',
    );
  });
});
