/**
 * Validation with readable, path-naming errors:
 *   spec.json: layers.3.filters: expected a positive integer, got -2
 * One line per issue; the path joins zod's issue path with dots (array indices included).
 */
import { z } from 'zod';
import { type ConfigIssue, SpikeliteConfigError, joinPath } from './errors.js';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

const MAX_SHOWN = 60;

/** A short rendering of a value for "got …"; undefined when it would be too long to help. */
function show(value: unknown): string | undefined {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return typeof value;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (text === undefined || text.length > MAX_SHOWN) return undefined;
  return text;
}

const literal = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** zod's default wording, made plainer. Per-schema messages (set in this package) take precedence. */
const readableError: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${iss.expected === 'int' ? 'an integer' : iss.expected}`;
    case 'too_small': {
      const min = String(iss.minimum);
      if (iss.origin === 'array' || iss.origin === 'set') return `expected at least ${min} item(s)`;
      if (iss.origin === 'string') return `expected at least ${min} character(s)`;
      return `expected a number ${iss.inclusive ? '≥' : '>'} ${min}`;
    }
    case 'too_big': {
      const max = String(iss.maximum);
      if (iss.origin === 'array' || iss.origin === 'set') return `expected at most ${max} item(s)`;
      if (iss.origin === 'string') return `expected at most ${max} character(s)`;
      return `expected a number ${iss.inclusive ? '≤' : '<'} ${max}`;
    }
    case 'invalid_value':
      return iss.values.length === 1
        ? `expected ${literal(iss.values[0])}`
        : `expected one of ${iss.values.map(literal).join(', ')}`;
    case 'invalid_format':
      return `expected ${iss.format === 'datetime' ? 'an ISO 8601 date-time string' : `a ${iss.format} string`}`;
    default:
      return undefined;
  }
};

const SHOWS_INPUT = new Set<string>([
  'invalid_type',
  'too_small',
  'too_big',
  'invalid_value',
  'invalid_format',
  'not_multiple_of',
  'invalid_union',
]);

function isRootMismatch(issue: Issue): boolean {
  return (
    issue.path.length === 0 &&
    (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')
  );
}

function collect(issues: readonly Issue[], base: readonly PathKey[], out: ConfigIssue[]): void {
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: joinPath([...path, key]), message: 'unknown field' });
      continue;
    }
    if (issue.code === 'invalid_union') {
      // Discriminated union with an unknown or missing discriminator (zod ≥ 4.1 reports the options).
      const extra = issue as Issue & { note?: string; discriminator?: string; options?: unknown[] };
      if (extra.note === 'No matching discriminator' && extra.discriminator !== undefined) {
        const input = issue.input as Record<string, unknown> | undefined;
        const got = input !== null && typeof input === 'object' ? input[extra.discriminator] : undefined;
        const allowed = extra.options === undefined ? '' : `; expected one of: ${extra.options.map(String).join(', ')}`;
        const message =
          got === undefined
            ? `missing '${extra.discriminator}'${allowed}`
            : `unknown ${extra.discriminator} ${show(got) ?? ''}${allowed}`;
        out.push({ path: joinPath(path), message });
        continue;
      }
      // A plain union: if exactly one alternative matched the value's type, report its issues.
      const plausible = issue.errors.filter((errs) => !errs.some(isRootMismatch));
      const only = plausible[0];
      if (plausible.length === 1 && only !== undefined && only.length > 0) {
        collect(only, path, out);
        continue;
      }
    }
    const hasInput = 'input' in issue;
    const input: unknown = hasInput ? issue.input : undefined;
    let message = issue.message;
    if (issue.code === 'invalid_type' && input === undefined) {
      message = `missing (${message})`;
    } else if (SHOWS_INPUT.has(issue.code) && hasInput) {
      const shown = show(input);
      if (shown !== undefined && input !== undefined) message = `${message}, got ${shown}`;
    }
    out.push({ path: joinPath(path), message });
  }
}

/** Turn zod issues into readable `{ path, message }` records (used by `parseWith`). */
export function readableIssues(issues: readonly Issue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  collect(issues, [], out);
  // Overlapping checks (e.g. int and ≥ 1 on 2.5) can produce the same line twice.
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Parse `value` with `schema`; on failure throw a SpikeliteConfigError whose message has one
 * line per issue, `source: path: problem[, got value]`.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true, error: readableError });
  if (result.success) return result.data;
  throw new SpikeliteConfigError(source, readableIssues(result.error.issues));
}

/** Parse JSON text and validate it; a syntax error names the source too. */
export function parseJsonText<S extends z.ZodType>(text: string, schema: S, source: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SpikeliteConfigError(source, [{ path: '', message: `invalid JSON: ${(e as Error).message}` }]);
  }
  return parseWith(schema, value, source);
}

/**
 * Read a JSON file and validate it. Errors (unreadable file, JSON syntax, schema) are
 * SpikeliteConfigErrors naming the file. `node:fs` is imported on first call, so browser
 * bundles that never call this do not need it.
 */
export async function loadJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'file not found' : `cannot read file (${err.code ?? err.message})`;
    throw new SpikeliteConfigError(path, [{ path: '', message: reason }]);
  }
  return parseJsonText(text, schema, path);
}
