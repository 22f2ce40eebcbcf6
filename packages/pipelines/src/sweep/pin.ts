/**
 * A grid pinned to content before it is expanded, so that a cell means the same run on every
 * machine and its runKey changes when a model does: every ONNX file gets its sha256 and an
 * absolute path, ModelSpec and energy-profile files are read into the description, and a data
 * directory gets an absolute path (a registered dataset name stays a name).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATASETS } from '@spikelite/data';
import { ENERGY_PROFILE_NAMES, loadEnergyProfile } from '@spikelite/energy';
import { loadJsonFile, ModelSpec } from '@spikelite/schemas';
import { sha256File } from '../content-hash.js';
import { PipelineError } from '../errors.js';
import type { ModelRef } from '../run-spec.js';
import { expandSweep, parseSweepSpec, sweepModels, type SweepCell, type SweepSpec, type SweepSpecInput } from './grid.js';

async function pinModel(ref: ModelRef, i: number): Promise<ModelRef> {
  switch (ref.kind) {
    case 'onnx': {
      if (!existsSync(ref.file)) throw new PipelineError(`sweep grid: models.${i}: ${ref.file}: file not found`);
      const sha256 = await sha256File(ref.file);
      if (ref.sha256 !== undefined && ref.sha256 !== sha256) {
        throw new PipelineError(`sweep grid: models.${i}: ${ref.file}: its sha256 is ${sha256.slice(0, 12)}…, not the grid's ${ref.sha256.slice(0, 12)}…`);
      }
      return { ...ref, file: resolve(ref.file), sha256 };
    }
    case 'specFile':
      if (!existsSync(ref.file)) throw new PipelineError(`sweep grid: models.${i}: ${ref.file}: file not found`);
      return { kind: 'spec', spec: await loadJsonFile(ref.file, ModelSpec) };
    default:
      return ref;
  }
}

/**
 * The data reference with its path made absolute (workers run elsewhere): a directory, or the
 * path of a `folder:`/`list:`/`nmnist:` spec; registered names stay names.
 */
function pinData(data: SweepSpec['data']): SweepSpec['data'] {
  const name = data.name;
  if (DATASETS.has(name.toLowerCase())) return data;
  const spec = /^([a-z][\w-]*):(.+)$/i.exec(name);
  if (spec) return existsSync(spec[2]!) ? { ...data, name: `${spec[1]}:${resolve(spec[2]!)}` } : data;
  return existsSync(name) && statSync(name).isDirectory() ? { ...data, name: resolve(name) } : data;
}

/** The grid with its files pinned (see the module comment); errors name the field and file. */
export async function pinSweep(input: SweepSpec | SweepSpecInput): Promise<SweepSpec> {
  const spec = parseSweepSpec(input);
  const models = await Promise.all(sweepModels(spec).map(pinModel));
  const profile = spec.energyProfile;
  const energyProfile = typeof profile === 'string' && !(ENERGY_PROFILE_NAMES as string[]).includes(profile) ? await loadEnergyProfile(profile) : profile;
  const { onnxInput: _applied, ...rest } = spec;
  return parseSweepSpec({ ...rest, models, data: pinData(spec.data), ...(energyProfile !== undefined ? { energyProfile } : {}) });
}

/** `pinSweep` then `expandSweep`: the cells a sweep runs, in order. */
export async function planSweep(input: SweepSpec | SweepSpecInput): Promise<SweepCell[]> {
  return expandSweep(await pinSweep(input));
}
