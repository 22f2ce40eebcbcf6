/**
 * `spikelite nir run FILE --input IN.csv --dt S --out OUT.csv`: a NIR graph (@spikelite/nir)
 * driven by one CSV row of input values per step; what flows into its Output (and, with
 * --record v, every neuron node's membrane) written as CSV, one row per step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatNirRunCsv, nirRunColumns, parseNirCsv, runNirFile, type NirReadout } from '@spikelite/nir';
import { choiceFlag, parseFlags, required } from '../args.js';
import { CliError } from '../errors.js';
import { NIR_FLAGS, NIR_HELP, nirFlags } from '../nir-flags.js';
import { backendFlag, startEngine, stderrLog } from '../setup.js';

export const NIR_COMMAND_HELP = `spikelite nir run — run a NIR graph (Neuromorphic Intermediate Representation) on input rows

  spikelite nir run FILE --input IN.csv --dt S [--convention C] [--columns A,B,…] [--record v] --out OUT.csv

  FILE                 the .nir file (HDF5; NIR 0.1 to 1.0)
  --input IN.csv       one row per step: the Input node's values in NIR order, comma-separated (a header
                       line is skipped)
  --columns A,B,…      the 0-based columns of IN.csv to use, in order (default: all)
${NIR_HELP}
  --record v           also write every neuron node's membrane after each step (columns v:<node>[i])
  --out OUT.csv        the output: a header (<output>[i], v:<node>[i]), then one row per step
  --backend B          tensorflow | wasm | cpu (default: best available)
  --json               print { command, file, version, steps, output, out, columns } on stdout

The Output's rows are what flows into it: spikes of a spiking neuron, a membrane (LI, I, CubaLI) or
analog values. spikelite import FILE.nir summarises a file first (nodes, shapes, whether it needs dt).

Example:
  spikelite nir run tooling/fixtures/nir/lif_norse.nir --input tooling/fixtures/nir/lif_norse.csv --columns 0 --dt 1e-4 --convention norse --record v --out lif.csv
  (the NIR paper's cross-simulator test: one LIF neuron driven by the CSV's input column; spikes at steps 460, 510, 710, 760)`;

const FLAGS = {
  input: { type: 'string' }, columns: { type: 'string' }, ...NIR_FLAGS, record: { type: 'string' }, out: { type: 'string' },
  backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export interface NirRunResult {
  command: 'nir run';
  file: string;
  version: string;
  input: string;
  steps: number;
  output: {
    node: string;
    readout: NirReadout;
    shape: readonly number[];
    /** Spiking readout: the spikes over all steps and the steps with any spike; null otherwise. */
    spikes: number | null;
    spikeSteps: number[] | null;
  };
  out: string;
  columns: string[];
  backend: string;
  wallMs: number;
}

function columnsFlag(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new CliError(`--columns: expected 0-based column numbers separated by commas, e.g. 0 or 0,2, got '${raw}'`);
  return parts.map(Number);
}

function readInput(path: string, flag: string): Uint8Array {
  if (!existsSync(path)) throw new CliError(`${flag}${path}: file not found`);
  return new Uint8Array(readFileSync(path));
}

export async function nirCommand(argv: string[]): Promise<NirRunResult> {
  const { values: f, positionals } = parseFlags(argv, FLAGS, true);
  const t0 = performance.now();
  const [sub, file, ...extra] = positionals;
  if (sub !== 'run') throw new CliError(`nir: expected a subcommand: run (got ${sub === undefined ? 'none' : `'${sub}'`}; see spikelite nir --help)`);
  if (file === undefined || extra.length > 0) throw new CliError(`nir run: expected one NIR FILE, got ${file === undefined ? 'none' : [file, ...extra].map((p) => `'${p}'`).join(' ')} (see --help)`);
  const input = required('input', f.input);
  const out = required('out', f.out);
  const columns = columnsFlag(f.columns);
  const record = choiceFlag('record', f.record, ['v'] as const);
  const options = nirFlags(f);
  backendFlag(f.backend);
  const bytes = readInput(file, '');
  const csv = parseNirCsv(new TextDecoder().decode(readInput(input, '--input: ')), { source: input, ...(columns ? { columns } : {}) });
  const log = stderrLog(f.json === true);
  const engine = await startEngine(f.backend, log);
  const run = await runNirFile(bytes, csv.rows, { ...options, ...(record ? { record } : {}), source: file });
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, formatNirRunCsv(run));
  } catch (e) {
    throw new CliError(`--out: ${out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const spiking = run.output.readout === 'spikes';
  const spikeSteps = spiking ? run.output.rows.flatMap((row, t) => (row.some((v) => v !== 0) ? [t] : [])) : null;
  const spikes = spiking ? run.output.rows.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0) : null;
  const shown = spikeSteps === null ? '' : `: ${spikes} spike${spikes === 1 ? '' : 's'}${spikeSteps.length > 0 ? ` at step${spikeSteps.length === 1 ? '' : 's'} ${spikeSteps.slice(0, 12).join(', ')}${spikeSteps.length > 12 ? ', …' : ''}` : ''}`;
  log.info(`${file} (NIR ${run.version}): ${run.steps} steps of ${input}; output '${run.output.node}' (${run.output.readout})${shown}; wrote ${out}`);
  return {
    command: 'nir run',
    file,
    version: run.version,
    input,
    steps: run.steps,
    output: { node: run.output.node, readout: run.output.readout, shape: run.output.shape, spikes, spikeSteps },
    out,
    columns: nirRunColumns(run),
    backend: engine.backend,
    wallMs: Math.round(performance.now() - t0),
  };
}
