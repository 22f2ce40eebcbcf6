/**
 * Energy profiles by name (`cmos45nm-fp32`, `cmos45nm-int32`) or from a JSON file validated
 * by the EnergyProfile schema of @spikelite/schemas (units in the field names: `macPj`,
 * `acPj`, `neuronUpdatePj`, `memoryPj`). Every error is a SpikeliteConfigError naming the
 * file (or the name) and the field. node:fs is only loaded by loadEnergyProfile.
 */
import { ENERGY_PROFILES, EnergyProfile, loadJsonFile, parseWith, SpikeliteConfigError } from '@spikelite/schemas';

/** Names of the built-in profiles. */
export const ENERGY_PROFILE_NAMES = Object.keys(ENERGY_PROFILES) as Array<keyof typeof ENERGY_PROFILES>;

const builtin = (name: string): EnergyProfile | undefined =>
  Object.prototype.hasOwnProperty.call(ENERGY_PROFILES, name) ? { ...ENERGY_PROFILES[name as keyof typeof ENERGY_PROFILES] } : undefined;

/**
 * Validate a profile object (a parsed JSON document). `source` names it in errors. A custom
 * profile may not reuse a built-in profile's name with other numbers: reports would then
 * silently claim the standard constants.
 */
export function parseEnergyProfile(value: unknown, source: string): EnergyProfile {
  return checkName(parseWith(EnergyProfile, value, source), source);
}

function checkName(profile: EnergyProfile, source: string): EnergyProfile {
  const same = builtin(profile.name);
  if (same !== undefined && (same.macPj !== profile.macPj || same.acPj !== profile.acPj || same.neuronUpdatePj !== profile.neuronUpdatePj || same.memoryPj !== profile.memoryPj)) {
    throw new SpikeliteConfigError(source, [
      { path: 'name', message: `'${profile.name}' is a built-in profile with other constants; give this profile its own name` },
    ]);
  }
  return profile;
}

/**
 * A built-in profile by name, or a profile JSON file. An argument that is neither a built-in
 * name nor an existing file (and does not look like a path) is an error listing the names.
 */
export async function loadEnergyProfile(pathOrName: string): Promise<EnergyProfile> {
  const named = builtin(pathOrName);
  if (named !== undefined) return named;
  const looksLikePath = pathOrName.includes('/') || pathOrName.includes('\\') || pathOrName.endsWith('.json');
  // node:fs is imported on demand, so browser bundles of this package never need it.
  const { existsSync } = await import('node:fs');
  if (!looksLikePath && !existsSync(pathOrName)) {
    throw new SpikeliteConfigError(pathOrName, [
      { path: '', message: `not a built-in energy profile (${ENERGY_PROFILE_NAMES.join(', ')}) and no such file` },
    ]);
  }
  return checkName(await loadJsonFile(pathOrName, EnergyProfile), pathOrName);
}
