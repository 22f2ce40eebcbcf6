/**
 * `spikelite report`: one self-contained HTML page (Chart.js inlined, works offline) from
 * report bundles, RunReports and `convert --sweep --json` outputs of runs on one dataset.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseFlags } from '../args.js';
import { CliError } from '../errors.js';
import { bundleFromFiles, renderHtmlReport } from '../html-report/index.js';

export const REPORT_HELP = `spikelite report — one self-contained HTML page comparing runs on one dataset

  spikelite report FILE... --out report.html [--title T] [--json]

  FILE...                      JSON inputs, merged in order: RunReports (train/convert/eval --json or
                               --out DIR/report.json), 'convert --sweep --json' outputs (DIR/sweep.json),
                               and report bundles (see src/html-report/README.md; they can carry rasters)
  --out FILE                   the HTML file to write (required)
  --title T                    page title (default: the first bundle's, else 'spikelite on <dataset>')
  --json                       print { out, runs, sweeps, rasters } on stdout

The page: a table of the runs; accuracy against T (sweeps as lines, runs as points, the ANN as a
dashed line); spike rasters; spike rate per layer; energy per layer against the ANN.

Example: spikelite report runs/diet/report.json runs/fs/sweep.json --out report.html`;

const FLAGS = {
  out: { type: 'string' }, title: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export interface ReportSummary {
  out: string;
  runs: number;
  sweeps: number;
  rasters: number;
}

export async function reportCommand(argv: string[]): Promise<ReportSummary | null> {
  const { values: f, positionals: files } = parseFlags(argv, FLAGS, true);
  if (f.help) {
    process.stdout.write(`${REPORT_HELP}\n`);
    return null;
  }
  if (files.length === 0) throw new CliError('report: give at least one input JSON file (see --help)');
  if (f.out === undefined) throw new CliError('--out FILE is required (the HTML file to write)');
  if (f.out.trim() === '') throw new CliError("--out: expected a file name, got ''");
  if (f.title !== undefined && f.title.trim() === '') throw new CliError("--title: expected a non-empty title, got ''");
  const bundle = await bundleFromFiles(files, f.title !== undefined ? { title: f.title } : {});
  const html = renderHtmlReport(bundle);
  const out = resolve(f.out);
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, html);
  } catch (e) {
    throw new CliError(`--out: ${f.out}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const summary = { out, runs: bundle.runs.length, sweeps: bundle.sweeps.length, rasters: bundle.rasters.length };
  if (!f.json) process.stderr.write(`wrote ${out}: ${summary.runs} runs, ${summary.sweeps} sweeps, ${summary.rasters} rasters (${Math.round(html.length / 1024)} KiB)\n`);
  return summary;
}
