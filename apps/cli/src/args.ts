/**
 * Flag parsing on node:util's parseArgs (strict: unknown flags are errors), with typed
 * value parsers whose errors name the flag.
 */
import { parseArgs } from 'node:util';
import { CliError } from './errors.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface ParsedFlags<S extends FlagSpec> {
  values: { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string };
  positionals: string[];
}

/** node:util's parseArgs messages, rewritten as one line that names the flag. */
function flagMessage(raw: string): string {
  const msg = raw.split('\n')[0] ?? raw;
  let m: RegExpMatchArray | null;
  if ((m = /^Unknown option '(.*?)'/.exec(msg))) return `unknown flag '${m[1]}' (see --help)`;
  if ((m = /^Option '(--[^ ']+)(?: <value>)?' argument missing/.exec(msg))) return `${m[1]}: missing value`;
  if ((m = /^Option '(--[^ ']+)' argument is ambiguous/.exec(msg))) return `${m[1]}: missing value (a value starting with '-' is written ${m[1]}=-…)`;
  if ((m = /^Option '(--[^ ']+)' does not take an argument/.exec(msg))) return `${m[1]} takes no value`;
  if ((m = /^Unexpected argument '(.*?)'/.exec(msg))) return `unexpected argument '${m[1]}' (this command takes flags only; see --help)`;
  return msg;
}

/**
 * `--epochs -1` would be read by parseArgs as a missing value followed by a flag `-1`; a
 * negative number after a string flag is its value (so the value parsers can name the flag).
 */
function joinNegativeValues(argv: string[], spec: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    if (name !== undefined && spec[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parseFlags<S extends FlagSpec>(argv: string[], spec: S, allowPositionals = false): ParsedFlags<S> {
  try {
    return parseArgs({ args: joinNegativeValues(argv, spec), options: spec, strict: true, allowPositionals }) as unknown as ParsedFlags<S>;
  } catch (e) {
    throw new CliError(flagMessage((e as Error).message ?? String(e)));
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
