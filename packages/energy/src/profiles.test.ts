import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CMOS45NM_FP32, CMOS45NM_INT32 } from '@spikelite/schemas';
import { describe, expect, it } from 'vitest';
import { ENERGY_PROFILE_NAMES, loadEnergyProfile, parseEnergyProfile } from './profiles.js';

const dir = mkdtempSync(join(tmpdir(), 'spikelite-energy-'));
const file = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
const messageOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'no error', (e: Error) => e.message);

describe('loadEnergyProfile', () => {
  it('built-in profiles by name', async () => {
    expect(ENERGY_PROFILE_NAMES).toEqual(['cmos45nm-fp32', 'cmos45nm-int32']);
    expect(await loadEnergyProfile('cmos45nm-fp32')).toEqual(CMOS45NM_FP32);
    const int32 = await loadEnergyProfile('cmos45nm-int32');
    expect([int32.macPj, int32.acPj]).toEqual([3.2, 0.1]);
    expect(int32).toEqual(CMOS45NM_INT32);
    // A copy: callers cannot change the shared constants.
    int32.macPj = 99;
    expect(CMOS45NM_INT32.macPj).toBe(3.2);
  });

  it('a user profile file round-trips (defaults filled, units in the field names)', async () => {
    const p = file('chip.json', { name: 'my-chip', macPj: 2, acPj: 0.05, memoryPj: 5 });
    const a = await loadEnergyProfile(p);
    expect(a).toEqual({ name: 'my-chip', macPj: 2, acPj: 0.05, neuronUpdatePj: 0, memoryPj: 5 });
    const again = await loadEnergyProfile(file('chip-again.json', JSON.stringify(a, null, 1)));
    expect(again).toEqual(a);
  });

  it('a bad profile: the error names the file and the field', async () => {
    const p = file('bad.json', { name: 'bad', macPj: -1, acPj: 0.9 });
    expect(await messageOf(loadEnergyProfile(p))).toBe(`${p}: macPj: expected a non-negative number, got -1`);
    // A field without its unit is unknown, and the one with the unit is then missing.
    const q = file('nounit.json', { name: 'x', mac: 4.6, acPj: 0.9 });
    const lines = (await messageOf(loadEnergyProfile(q))).split('\n');
    expect(lines).toContain(`${q}: mac: unknown field`);
    expect(lines.some((l) => l.startsWith(`${q}: macPj: missing`))).toBe(true);
    const r = file('syntax.json', '{ "name": ');
    expect(await messageOf(loadEnergyProfile(r))).toMatch(new RegExp(`^${r}: invalid JSON`));
  });

  it('a missing file, an unknown name, a built-in name with other numbers', async () => {
    expect(await messageOf(loadEnergyProfile(join(dir, 'nope.json')))).toBe(`${join(dir, 'nope.json')}: file not found`);
    expect(await messageOf(loadEnergyProfile('cmos7nm'))).toBe('cmos7nm: not a built-in energy profile (cmos45nm-fp32, cmos45nm-int32) and no such file');
    const p = file('fake.json', { name: 'cmos45nm-fp32', macPj: 1, acPj: 0.9 });
    expect(await messageOf(loadEnergyProfile(p))).toBe(`${p}: name: 'cmos45nm-fp32' is a built-in profile with other constants; give this profile its own name`);
    // The same constants under the built-in name are fine.
    expect(parseEnergyProfile({ name: 'cmos45nm-int32', macPj: 3.2, acPj: 0.1 }, 'inline')).toEqual(CMOS45NM_INT32);
  });
});
