/**
 * CSV in and out of `spikelite nir run`: one row per step. Input: the Input node's values in
 * NIR's order, comma-separated (an optional header line is skipped; `columns` picks columns,
 * e.g. [0] for the input column of lif_norse.csv). Output: a header naming every column, then
 * the Output's values and, when recorded, every neuron node's membrane, floats written with
 * the fewest digits that read back as the same float32.
 */
import { NirError } from './errors.js';
import type { NirFileRun } from './file.js';

export interface ParseNirCsvOptions {
  /** Name used in errors (the file name); default 'CSV'. */
  readonly source?: string;
  /** 0-based columns to keep, in this order; default all. */
  readonly columns?: readonly number[];
}

export interface NirCsv {
  /** The header line's fields, or null when the first line is numbers. */
  readonly header: string[] | null;
  readonly rows: number[][];
}

export function parseNirCsv(text: string, options: ParseNirCsvOptions = {}): NirCsv {
  const source = options.source ?? 'CSV';
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: i + 1, fields: l.split(',').map((f) => f.trim()) })).filter((l) => l.fields.some((f) => f !== ''));
  let header: string[] | null = null;
  if (lines.length > 0 && lines[0]!.fields.some((f) => f === '' || !Number.isFinite(Number(f)))) header = lines.shift()!.fields;
  if (lines.length === 0) throw new NirError(source, 'no rows: give one row of input values per step');
  const rows = lines.map(({ line, fields }) => {
    const picked = options.columns === undefined ? fields : options.columns.map((c) => {
      if (c >= fields.length) throw new NirError(source, `line ${line} has ${fields.length} column(s), column ${c} was asked for`);
      return fields[c]!;
    });
    return picked.map((f, j) => {
      const v = Number(f);
      if (f === '' || !Number.isFinite(v)) throw new NirError(source, `line ${line}, column ${options.columns?.[j] ?? j}: '${f}' is not a number`);
      return v;
    });
  });
  const width = rows[0]!.length;
  const bad = rows.findIndex((r) => r.length !== width);
  if (bad >= 0) throw new NirError(source, `line ${lines[bad]!.line} has ${rows[bad]!.length} values, line ${lines[0]!.line} has ${width}`);
  return { header, rows };
}

/** The shortest decimal that reads back as the same float32 (0 and 1 for spikes). */
export function formatFloat32(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 24) return String(x === 0 ? 0 : x);
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(f);
}

/** Column names: `<output>[i]` for the Output's values, `v:<node>[i]` for each recorded membrane (NIR order, flat index). */
export function nirRunColumns(run: NirFileRun): string[] {
  const cols = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}[${i}]`);
  return [
    ...cols(run.output.node, run.output.rows[0]?.length ?? 0),
    ...run.voltages.flatMap((v) => cols(`v:${v.node}`, v.rows[0]?.length ?? 0)),
  ];
}

/** The run as CSV text: the header line, then one line per step. */
export function formatNirRunCsv(run: NirFileRun): string {
  const lines = [nirRunColumns(run).join(',')];
  for (let t = 0; t < run.steps; t++) {
    const values = [...run.output.rows[t]!, ...run.voltages.flatMap((v) => v.rows[t]!)];
    lines.push(values.map(formatFloat32).join(','));
  }
  return `${lines.join('\n')}\n`;
}
