/**
 * Method flags from the registry: every config field of every method of @spikelite/pipelines
 * is a flag (camelCase → --kebab-case), parsed by the field's kind, and listed in --help with
 * each method's default. No method is named here.
 */
import { configFields, getMethod, METHOD_IDS, METHODS, type ConfigField, type MethodId } from '@spikelite/pipelines';
import type { FlagSpec } from './args.js';
import { CliError } from './errors.js';

export const flagName = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const FIELDS: ReadonlyMap<MethodId, ConfigField[]> = new Map(METHOD_IDS.map((id) => [id, configFields(METHODS[id].schema)]));

/** Every method option as a string flag (values are parsed per field in `methodConfig`). */
export const METHOD_FLAGS: FlagSpec = Object.fromEntries([...FIELDS.values()].flat().map((f) => [flagName(f.name), { type: 'string' as const }]));

function parseValue(flag: string, f: ConfigField, raw: string): number | string | boolean {
  switch (f.kind) {
    case 'int': {
      const v = Number(raw);
      const min = f.min ?? 0;
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min) throw new CliError(`--${flag}: expected an integer ≥ ${min}, got '${raw}'`);
      return v;
    }
    case 'number': {
      const v = Number(raw);
      if (f.maxExclusive !== undefined) {
        const lo = f.min ?? 0;
        if (raw.trim() === '' || !Number.isFinite(v) || v < lo || v >= f.maxExclusive) throw new CliError(`--${flag}: expected a number in [${lo}, ${f.maxExclusive}), got '${raw}'`);
        return v;
      }
      if (raw.trim() === '' || !Number.isFinite(v) || (f.min !== undefined && v <= f.min)) throw new CliError(`--${flag}: expected a ${f.min === 0 ? 'positive ' : ''}number, got '${raw}'`);
      return v;
    }
    case 'choice':
      if (!f.choices!.includes(raw)) throw new CliError(`--${flag}: expected one of ${f.choices!.join(', ')}, got '${raw}'`);
      return raw;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new CliError(`--${flag}: expected true or false, got '${raw}'`);
      return raw === 'true';
  }
}

/** The config of `method` from the flags given (absent flags: the method's defaults); a flag the method does not take is an error. */
export function methodConfig(method: MethodId, values: Record<string, unknown>): Record<string, unknown> {
  const fields = FIELDS.get(method)!;
  const own = new Map(fields.map((f) => [flagName(f.name), f]));
  const config: Record<string, unknown> = {};
  for (const flag of Object.keys(METHOD_FLAGS)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const f = own.get(flag);
    if (f === undefined) throw new CliError(`--${flag}: not an option of the ${method} method (its options: ${[...own.keys()].map((k) => `--${k}`).join(', ')})`);
    config[f.name] = parseValue(flag, f, String(raw));
  }
  return config;
}

const fmtDefault = (v: ConfigField['default']): string => (v === undefined ? 'auto' : String(v));

/** `--help` text: the registered methods, then every method option with each method's default. */
export function methodsHelp(methods: readonly MethodId[] = METHOD_IDS): string {
  const lines = ['Methods (--method):', ...methods.map((id) => `  ${id.padEnd(10)} ${getMethod(id).about}`), '', 'Method options (each with the default of every method that takes it; "auto": the method decides):'];
  const seen = new Map<string, { field: ConfigField; by: Array<[MethodId, ConfigField]> }>();
  for (const id of methods) {
    for (const f of FIELDS.get(id)!) {
      const flag = flagName(f.name);
      const entry = seen.get(flag) ?? { field: f, by: [] };
      entry.by.push([id, f]);
      seen.set(flag, entry);
    }
  }
  const pad = ''.padEnd(33);
  for (const [flag, { field, by }] of seen) {
    lines.push(`  ${`--${flag} ${field.arg}`.padEnd(30)}`);
    // One line per distinct help text, with the defaults of the methods it describes.
    const groups = new Map<string, Array<[MethodId, ConfigField]>>();
    for (const b of by) groups.set(b[1].help, [...(groups.get(b[1].help) ?? []), b]);
    const defaults = (g: Array<[MethodId, ConfigField]>): string => g.map(([id, f]) => `${id} ${fmtDefault(f.default)}`).join(' · ');
    const text = [...groups].map(([help, g]) => (groups.size === 1 ? `${help}\n${pad}${defaults(g)}` : `${help}: ${defaults(g)}`));
    lines[lines.length - 1] = `${lines[lines.length - 1]} ${text.join(`\n${pad}`)}`;
  }
  return lines.join('\n');
}
