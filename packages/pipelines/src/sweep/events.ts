/**
 * What a sweep tells its caller, in-process or through a queue: per-cell events, each with the
 * state of the whole grid, and the outcome of every cell.
 */
import type { RunReport } from '@spikelite/schemas';
import type { PipelineEvent } from '../events.js';
import type { SweepCell } from './grid.js';

/** How far one cell is: what it is doing, and a count where the work is counted (images, batches). */
export interface CellProgress {
  message: string;
  done?: number;
  total?: number;
}

/** The whole grid: cells finished (done or skipped), failed, running, of total. */
export interface GridState {
  total: number;
  done: number;
  failed: number;
  running: number;
}

export type SweepEvent =
  | { type: 'cell-start'; cell: SweepCell; grid: GridState; worker?: string }
  | { type: 'cell-progress'; cell: SweepCell; grid: GridState; progress: CellProgress }
  /** `skipped`: the report existed (a finished cell of an earlier run or job). */
  | { type: 'cell-done'; cell: SweepCell; grid: GridState; report: RunReport; skipped: boolean; worker?: string }
  | { type: 'cell-failed'; cell: SweepCell; grid: GridState; error: string }
  /** A line for people about the sweep as a whole (queue state, waiting for workers). */
  | { type: 'log'; message: string; grid: GridState };

export type SweepEventHandler = (e: SweepEvent) => void;

/** The result of one cell. */
export type CellOutcome =
  | { cell: SweepCell; status: 'done' | 'skipped'; report: RunReport; worker?: string }
  | { cell: SweepCell; status: 'failed'; error: string }
  /** Only from a queue: a cell not finished when the collection stopped (e.g. cancelled). */
  | { cell: SweepCell; status: 'pending'; state: string };

/** A pipeline event as cell progress (null: a line for the log, not progress). */
export function cellProgressOf(e: PipelineEvent): CellProgress | null {
  switch (e.type) {
    case 'log':
      return null;
    case 'data':
      return { message: `reading ${e.split} images ${e.done}/${e.total}`, done: e.done, total: e.total };
    case 'evaluate':
      return { message: `evaluating ${e.done}/${e.total} images`, done: e.done, total: e.total };
    case 'train': {
      const t = e.event;
      if (t.type === 'batch') return { message: `${e.stage} epoch ${t.epoch}/${t.epochs} batch ${t.batch}/${t.batches}`, done: t.batch, total: t.batches };
      if (t.type === 'epoch') return { message: `${e.stage} epoch ${t.metrics.epoch} done` };
      return null;
    }
  }
}

/** An error as one line: the first line of its message (library errors about the input say all in one line). */
export function oneLineError(e: unknown): string {
  if (!(e instanceof Error)) return String(e).split('\n')[0]!;
  const msg = e.message.split('\n').map((s) => s.trim()).filter((s) => s !== '').join('; ') || e.name;
  const isInputError = ['PipelineError', 'SpikeliteConfigError', 'DataError', 'OnnxImportError', 'ConversionError', 'CheckpointError', 'EngineError'].includes(e.name);
  return isInputError || e.name === 'Error' ? msg : `${e.name}: ${msg}`;
}
