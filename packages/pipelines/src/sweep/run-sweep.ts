/**
 * A sweep in this process (no queue): the cells one after another, sharing datasets and model
 * imports. A cell whose report is in the store is skipped; a failed cell is reported with its
 * one-line error and the others go on.
 */
import { runMethod, type RunOptions } from '../run.js';
import { createResources } from '../resources.js';
import { cellProgressOf, oneLineError, type CellOutcome, type GridState, type SweepEventHandler } from './events.js';
import type { SweepCell } from './grid.js';
import type { SweepStore } from './store.js';

export interface RunSweepOptions extends Pick<RunOptions, 'openData' | 'resources'> {
  /** Reports go here as cells finish; cells with a report here are skipped. */
  store?: SweepStore;
  onEvent?: SweepEventHandler;
  /** Stops the sweep between cells (the running cell finishes). */
  signal?: AbortSignal;
}

export async function runSweep(cells: readonly SweepCell[], options: RunSweepOptions = {}): Promise<CellOutcome[]> {
  const resources = options.resources ?? createResources();
  const grid: GridState = { total: cells.length, done: 0, failed: 0, running: 0 };
  const emit = options.onEvent ?? (() => {});
  const outcomes: CellOutcome[] = [];
  for (const cell of cells) {
    if (options.signal?.aborted === true) {
      outcomes.push({ cell, status: 'pending', state: 'cancelled' });
      continue;
    }
    const stored = options.store?.read(cell.key) ?? null;
    if (stored !== null) {
      grid.done++;
      outcomes.push({ cell, status: 'skipped', report: stored });
      emit({ type: 'cell-done', cell, grid: { ...grid }, report: stored, skipped: true });
      continue;
    }
    grid.running = 1;
    emit({ type: 'cell-start', cell, grid: { ...grid } });
    try {
      const report = await runMethod(cell.run, {
        resources,
        ...(options.openData ? { openData: options.openData } : {}),
        onEvent: (e) => {
          const progress = cellProgressOf(e);
          if (progress !== null) emit({ type: 'cell-progress', cell, grid: { ...grid }, progress });
        },
      });
      options.store?.write(cell.key, report);
      grid.running = 0;
      grid.done++;
      outcomes.push({ cell, status: 'done', report });
      emit({ type: 'cell-done', cell, grid: { ...grid }, report, skipped: false });
    } catch (e) {
      const error = oneLineError(e);
      grid.running = 0;
      grid.failed++;
      outcomes.push({ cell, status: 'failed', error });
      emit({ type: 'cell-failed', cell, grid: { ...grid }, error });
    }
  }
  return outcomes;
}
