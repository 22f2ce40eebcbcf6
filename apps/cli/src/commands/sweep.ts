/**
 * `spikelite sweep`: a grid of method runs (models × methods × T/K × options × seeds) from
 * flags or a YAML/JSON file. In this process by default; with --queue on a BullMQ queue that
 * `spikelite worker`s on any number of machines take cells from. Every cell's RunReport goes to
 * <out>/runs/<runKey>.json; the table, sweep.json, bundle.json and report.html follow.
 */
import { join } from 'node:path';
import {
  expandSweep, pinSweep, runSweep, SweepQueue, SweepStore, type CellOutcome, type SweepCell, type SweepEvent, type SweepSpec,
} from '@spikelite/pipelines';
import { parseFlags } from '../args.js';
import { CommandOutcome, CliError, forFlag } from '../errors.js';
import { DATA_FLAGS, dataHelp } from '../data-flags.js';
import { ONNX_INPUT_FLAGS, ONNX_INPUT_HELP } from '../onnx-flags.js';
import { startEngine, stderrLog, type Log } from '../setup.js';
import { sweepGrid, withShippedData } from '../sweep-grid.js';
import { formatSweepTable, sweepRows, writeSweepOutputs } from '../sweep-output.js';
import { SHIPPED_ANN } from './compare.js';

export const SWEEP_HELP = `spikelite sweep — a grid of method runs, in this process or on a queue of workers

The grid is models × methods × T/K values × method options × seeds; every cell is one method
run (as spikelite convert/train would do it), named by runKey, a hash of its description.
Cells whose report is already in --out are skipped, so a killed sweep continues where it stopped.

The grid, from flags:
  --onnx A.onnx,B.onnx         ONNX models (default: the shipped CNN, tooling/fixtures/onnx/fmnist-cnn-bn.onnx)
  --model P,Q                  presets or ModelSpec .json files (trained as the ANN stage first)
${ONNX_INPUT_HELP}
  --methods a,b,…              threshold, fs, diet, hybrid, general, ann (default threshold,fs)
  --timesteps 4,8,16           T (K for fs) of every method that counts steps (default: each method's own)
  --seeds 0,1                  seeds (default 0)
  --set M.OPTION=V[,V…]        values of any method option, e.g. --set fs.fit=samples,missing or
                               --set threshold.calib=64 (repeatable; spikelite train --help lists them)
${dataHelp()}
  --limit-train N, --limit-test N   use the first N images
  --profile P                  energy profile: cmos45nm-fp32 (default), cmos45nm-int32 or a JSON file
or from a file:
  --grid FILE                  a YAML (.yaml/.yml) or JSON grid (keys: models, methods, timesteps, seeds,
                               options: { METHOD: { option: [values] } }, onnxInput, data, energyProfile);
                               <out>/grid.json of an earlier sweep is one

Where it runs:
  (default)                    here, one cell after another
  --backend B                  tensorflow | wasm | cpu (in this process; workers choose their own)
  --queue redis://HOST:PORT    put the cells on a BullMQ queue for spikelite worker to run (resubmitting
                               adds no job already there); models travel by their sha256, data must be on
                               every worker (a registered dataset or a shared directory)
  --queue-name NAME            the queue (default spikelite-sweep)
  --wait                       with --queue: also gather the reports as workers finish them (Ctrl-C stops
                               waiting, not the sweep: --wait again gathers what is done)
  --cancel                     with --queue: stop the sweep (waiting cells removed, running ones aborted)

  --out DIR                    where reports go (default runs/sweep)
  --json                       print { cells, out, report } (or the queue's answer) on stdout

Exit code 3 when a cell failed (the others still ran; the table gives each error).

Examples:
  spikelite sweep --methods threshold,fs --timesteps 4,8,16 --seeds 0,1 --limit-test 1000
  spikelite sweep --grid grid.yaml --queue redis://10.0.0.5:6379 --wait --out runs/grid
  spikelite worker --queue redis://10.0.0.5:6379            (on every machine)`;

const FLAGS = {
  grid: { type: 'string' }, onnx: { type: 'string' }, model: { type: 'string' }, ...ONNX_INPUT_FLAGS, methods: { type: 'string' },
  timesteps: { type: 'string' }, seeds: { type: 'string' }, set: { type: 'string', multiple: true }, ...DATA_FLAGS,
  'limit-train': { type: 'string' }, 'limit-test': { type: 'string' }, profile: { type: 'string' }, backend: { type: 'string' },
  queue: { type: 'string' }, 'queue-name': { type: 'string' }, wait: { type: 'boolean' }, cancel: { type: 'boolean' },
  out: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** Sweep events on the log: a bar over the whole grid (cells finished of total), a line per finished cell. */
function sweepLog(log: Log): (e: SweepEvent) => void {
  return (e) => {
    const g = e.grid;
    const head = `sweep ${g.done + g.failed}/${g.total}${g.failed > 0 ? ` (${g.failed} failed)` : ''}`;
    const count = { value: g.done + g.failed, total: g.total };
    switch (e.type) {
      case 'cell-start':
        log.progress(`${head} · ${e.cell.label}: started${e.worker ? ` on ${e.worker}` : ''}`, count);
        break;
      case 'cell-progress':
        log.progress(`${head} · ${e.cell.label}: ${e.progress.message}`, count);
        break;
      case 'cell-done':
        if (e.skipped) log.info(`${head} · ${e.cell.label}: done before (${e.cell.key})`);
        else log.info(`${head} · ${e.cell.label}: ${pct(e.report.accuracy)}, ${e.report.spikes.perNeuron.toFixed(3)} spikes/neuron, energy ${e.report.energy.ratio.toFixed(2)}x, ${(e.report.wallMs / 1000).toFixed(0)} s${e.worker ? ` on ${e.worker}` : ''}`);
        break;
      case 'cell-failed':
        log.info(`${head} · ${e.cell.label}: failed: ${e.error}`);
        break;
      case 'log':
        log.info(`${head} · ${e.message}`);
        break;
    }
  };
}

/** Prints the table (or returns it for --json) and writes the outputs; exit code 3 if a cell failed. */
function finish(out: string, spec: SweepSpec, cells: SweepCell[], outcomes: CellOutcome[], json: boolean, meta: Record<string, unknown>): unknown {
  const report = writeSweepOutputs(out, spec, cells, outcomes, meta);
  const rows = sweepRows(outcomes);
  const failed = rows.filter((r) => r.status !== 'done' && r.status !== 'skipped').length;
  if (!json) process.stdout.write(`\n${formatSweepTable(rows)}\n\n${report !== null ? `report: ${report}\n` : ''}`);
  const value = json ? { cells: rows, out, report, ...meta } : null;
  return failed > 0 ? new CommandOutcome(value, 3, `spikelite: sweep: ${failed} of ${rows.length} cells did not finish (see the table)`) : value;
}

export async function sweepCommand(argv: string[]): Promise<unknown> {
  const { values: f } = parseFlags(argv, FLAGS);
  const t0 = performance.now();
  const json = f.json === true;
  const log = stderrLog(json);
  if (f.queue === undefined && (f.wait || f.cancel || f['queue-name'] !== undefined)) throw new CliError(`--${f.wait ? 'wait' : f.cancel ? 'cancel' : 'queue-name'} needs --queue redis://HOST:PORT`);
  if (f.queue !== undefined && f.backend !== undefined) throw new CliError('--backend: with --queue the workers choose their backend (spikelite worker --backend)');
  if (f.wait && f.cancel) throw new CliError('--wait and --cancel: give one');
  const out = f.out ?? join('runs', 'sweep');
  // Pinned: ONNX files by sha256 and absolute path, spec and profile files read in (errors name the file).
  const spec = await pinSweep(await withShippedData(await sweepGrid(f, SHIPPED_ANN), log));
  const cells = expandSweep(spec);
  const store = new SweepStore(join(out, 'runs'));
  log.info(`sweep: ${cells.length} cells (${spec.methods.join(', ')} on ${spec.models.length} model${spec.models.length > 1 ? 's' : ''}, ${spec.seeds.length} seed${spec.seeds.length > 1 ? 's' : ''}) → ${out}`);

  if (f.queue === undefined) {
    await startEngine(f.backend, log);
    let outcomes: CellOutcome[];
    try {
      outcomes = await runSweep(cells, { store, onEvent: sweepLog(log) });
    } finally {
      log.done();
    }
    log.info(`sweep: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return finish(out, spec, cells, outcomes, json, { wallMs: Math.round(performance.now() - t0) });
  }

  const queue = await forFlag('queue', () => SweepQueue.open({ url: f.queue!, ...(f['queue-name'] !== undefined ? { queue: f['queue-name'] } : {}) }));
  try {
    if (f.cancel) {
      const r = await queue.cancel(cells);
      log.info(`sweep: cancelled on ${f.queue} (${queue.name}): ${r.removed} waiting removed, ${r.stopping} running told to stop, ${r.finished} already finished`);
      return json ? { cancel: r, queue: queue.name, counts: await queue.counts() } : null;
    }
    const r = await queue.submit(cells, { store });
    log.info(
      `sweep: on ${f.queue} (${queue.name}): ${r.added} new jobs, ${r.queued} already queued, ${r.completed} already done there, ${r.retried} failed ones retried, ${r.stored} with a report in ${out}` +
        (r.modelsUploaded > 0 ? `; ${r.modelsUploaded} model${r.modelsUploaded > 1 ? 's' : ''} put on the queue` : ''),
    );
    if (!f.wait) return json ? { submit: r, queue: queue.name, counts: await queue.counts() } : null;
    let outcomes: CellOutcome[];
    try {
      outcomes = await queue.collect(cells, { store, onEvent: sweepLog(log) });
    } finally {
      log.done();
    }
    log.info(`sweep: gathered in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return finish(out, spec, cells, outcomes, json, { wallMs: Math.round(performance.now() - t0), submit: r, queue: queue.name, counts: await queue.counts() });
  } finally {
    await queue.close();
  }
}
