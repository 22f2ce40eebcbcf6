/**
 * What `spikelite sweep` writes and prints, the same in-process and through a queue: under
 * --out, `runs/<runKey>.json` (one RunReport per cell, written as cells finish), `grid.json`
 * (the grid pinned to its models' bytes: `--grid out/grid.json` runs it again), `sweep.json`
 * (every cell with its status, error and worker), `bundle.json` and `report.html` (accuracy
 * against T/K per method, energy, spikes); the comparison table on stdout.
 */
import { basename, join } from 'node:path';
import { getMethod, writeFileAtomic, type CellOutcome, type SweepCell, type SweepSpec } from '@spikelite/pipelines';
import { renderHtmlReport, type ReportBundle } from './html-report/index.js';

/** A row of the comparison table (and of sweep.json's cells). */
export interface SweepRow {
  index: number;
  key: string;
  label: string;
  model: string;
  method: string;
  /** T or K, as the report gives it ('-' until there is one). */
  steps: string;
  options: Record<string, number | string | boolean>;
  seed: number;
  status: CellOutcome['status'];
  accuracy: number | null;
  annAccuracy: number | null;
  spikesPerNeuron: number | null;
  energyRatio: number | null;
  wallS: number | null;
  worker: string | null;
  error: string | null;
  /** The report file, relative to --out. */
  report: string | null;
}

export function sweepRows(outcomes: readonly CellOutcome[]): SweepRow[] {
  return outcomes.map((o) => {
    const { cell } = o;
    const r = o.status === 'done' || o.status === 'skipped' ? o.report : null;
    const label = getMethod(cell.axes.method).steps.label;
    return {
      index: cell.index, key: cell.key, label: cell.label, model: cell.axes.model, method: cell.axes.method,
      steps: r !== null && label !== null ? `${label}=${r.timesteps}` : cell.axes.steps !== null && label !== null ? `${label}=${cell.axes.steps}` : '-',
      options: Object.fromEntries(Object.entries(cell.axes.options).filter(([k]) => k !== 'timesteps')),
      seed: cell.axes.seed, status: o.status,
      accuracy: r?.accuracy ?? null, annAccuracy: r?.annAccuracy ?? null,
      spikesPerNeuron: r === null || r.method === 'ann' ? null : r.spikes.perNeuron,
      energyRatio: r === null || r.method === 'ann' ? null : r.energy.ratio,
      wallS: r === null ? null : r.wallMs / 1000,
      worker: o.status === 'done' ? (o.worker ?? null) : null,
      error: o.status === 'failed' ? o.error : o.status === 'pending' ? o.state : null,
      report: r === null ? null : join('runs', `${cell.key}.json`),
    };
  });
}

/** The comparison table, as people read it: one line per cell; a failed cell shows its error. */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const models = new Set(rows.map((r) => r.model)).size > 1;
  const optionNames = [...new Set(rows.flatMap((r) => Object.keys(r.options)))];
  const head = [...(models ? ['model'] : []), 'method', 'T/K', ...optionNames, 'seed', 'accuracy', 'ANN', 'spikes/neuron', 'energy ANN/SNN', 'wall', 'key'];
  const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);
  const cells = rows.map((r) => {
    const values = [...(models ? [r.model] : []), r.method, r.steps, ...optionNames.map((o) => (o in r.options ? String(r.options[o]) : '-')), String(r.seed)];
    if (r.status === 'failed' || r.status === 'pending') return [...values, `${r.status}: ${r.error ?? ''}`];
    return [
      ...values, pct(r.accuracy), pct(r.annAccuracy), r.spikesPerNeuron === null ? '-' : r.spikesPerNeuron.toFixed(3),
      r.energyRatio === null ? '-' : `${r.energyRatio.toFixed(2)}x`, `${(r.wallS ?? 0).toFixed(0)} s`, r.key,
    ];
  });
  const full = cells.filter((c) => c.length === head.length);
  const widths = head.map((h, i) => Math.max(h.length, ...full.map((c) => c[i]!.length)));
  const left = (models ? 1 : 0) + 2 + optionNames.length; // model, method, T/K, options: text, left-aligned
  const line = (c: string[]): string =>
    c.map((v, i) => (c.length < head.length && i === c.length - 1 ? v : i < left ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/**
 * The HTML report's bundle: every report as a run, and one series of accuracy against T/K per
 * method, model, option values and seed (the cells that differ only in T/K). Null if no cell has a report.
 */
export function sweepBundle(outcomes: readonly CellOutcome[], spec: SweepSpec): ReportBundle | null {
  const done = outcomes.flatMap((o) => (o.status === 'done' || o.status === 'skipped' ? [{ cell: o.cell, report: o.report }] : []));
  if (done.length === 0) return null;
  const first = done[0]!.report;
  const models = [...new Set(done.map((d) => d.cell.axes.model))];
  const series = new Map<string, { name: string; label: 'T' | 'K'; cells: typeof done }>();
  for (const d of done) {
    const label = getMethod(d.cell.axes.method).steps.label;
    if (label === null) continue;
    // The cell's label without its T/K: the cells of one series share it.
    const name = d.cell.label.split(' ').filter((w) => !/^[TK]=\d+$/.test(w)).join(' ');
    const s = series.get(name) ?? { name, label, cells: [] };
    s.cells.push(d);
    series.set(name, s);
  }
  return {
    kind: 'spikelite-report',
    version: 1,
    title: `spikelite sweep: ${models.join(', ')} on ${first.dataset.name} (${outcomes.length} cells)`,
    createdAt: new Date().toISOString(),
    dataset: first.dataset,
    ann: { accuracy: done.find((d) => d.report.annAccuracy !== null)?.report.annAccuracy ?? null, source: spec.models.map((m) => (typeof m === 'string' ? basename(m) : modelSource(m))).join(', ') },
    runs: done.map((d) => d.report),
    sweeps: [...series.values()].map((s) => ({
      method: s.name,
      stepsLabel: s.label,
      rows: s.cells
        .map(({ report: r }) => ({ steps: r.timesteps, accuracy: r.accuracy, spikesPerNeuron: r.spikes.perNeuron, energyRatio: r.energy.ratio }))
        .sort((a, b) => a.steps - b.steps),
    })),
    rasters: [],
  };
}

function modelSource(m: Exclude<SweepSpec['models'][number], string>): string {
  return m.kind === 'onnx' || m.kind === 'specFile' ? basename(m.file) : m.kind === 'preset' ? m.name : (m.spec.name ?? 'ModelSpec');
}

/** Writes grid.json, sweep.json, and (when a cell has a report) bundle.json and report.html; returns report.html's path or null. */
export function writeSweepOutputs(out: string, spec: SweepSpec, cells: readonly SweepCell[], outcomes: readonly CellOutcome[], meta: Record<string, unknown>): string | null {
  writeFileAtomic(join(out, 'grid.json'), `${JSON.stringify(spec, null, 1)}\n`);
  const rows = sweepRows(outcomes);
  writeFileAtomic(join(out, 'sweep.json'), `${JSON.stringify({ kind: 'spikelite-sweep', version: 1, createdAt: new Date().toISOString(), ...meta, cells: rows.map((r, i) => ({ ...r, run: cells[i]!.run })) }, null, 1)}\n`);
  const bundle = sweepBundle(outcomes, spec);
  if (bundle === null) return null;
  writeFileAtomic(join(out, 'bundle.json'), JSON.stringify(bundle));
  const html = join(out, 'report.html');
  writeFileAtomic(html, renderHtmlReport(bundle));
  return html;
}
