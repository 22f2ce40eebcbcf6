/**
 * Flag parsing on node:util's parseArgs (strict: unknown flags are errors), with typed
 * value parsers whose errors name the flag.
 */
import { parseArgs } from 'node:util';
import { CliError } from './errors.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface ParsedFlags<S extends FlagSpec> {
  values: { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

export function parseFlags<S extends FlagSpec>(argv: string[], spec: S, allowPositionals = false): ParsedFlags<S> {
  try {
    return parseArgs({ args: argv, options: spec, strict: true, allowPositionals }) as unknown as ParsedFlags<S>;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? String(e);
    throw new CliError(msg.replace(/^Unknown option '(.*?)'.*$/, "unknown flag '$1' (see --help)"));
  }
}

export function intFlag(name: string, raw: string | undefined, opts: { min?: number; fallback?: number } = {}): number | undefined {
  if (raw === undefined) return opts.fallback;
  const v = Number(raw);
  const min = opts.min ?? 0;
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min) {
    throw new CliError(`--${name}: expected an integer ≥ ${min}, got '${raw}'`);
  }
  return v;
}

export function numberFlag(name: string, raw: string | undefined, opts: { positive?: boolean; fallback?: number } = {}): number | undefined {
  if (raw === undefined) return opts.fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || (opts.positive && v <= 0)) {
    throw new CliError(`--${name}: expected a ${opts.positive ? 'positive ' : ''}number, got '${raw}'`);
  }
  return v;
}

export function choiceFlag<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback?: T): T | undefined {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new CliError(`--${name}: expected one of ${choices.join(', ')}, got '${raw}'`);
  return raw as T;
}

export function required<T>(name: string, v: T | undefined): T {
  if (v === undefined) throw new CliError(`--${name} is required`);
  return v;
}
