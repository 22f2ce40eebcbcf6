/**
 * A sweep on a BullMQ queue, from the side that submits it: put its cells on the queue (job id =
 * the cell's runKey, so a grid submitted again adds nothing already there), gather their reports
 * as workers finish them, or cancel them.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { RunReport, parseWith } from '@spikelite/schemas';
import { oneLineError, type CellOutcome, type CellProgress, type GridState, type SweepEventHandler } from '../events.js';
import type { SweepCell } from '../grid.js';
import type { SweepStore } from '../store.js';
import { connected, DEFAULT_QUEUE, jobIdOf, redisConnection, sweepKeys, type QueueRef } from './connection.js';
import { uploadModels } from './models.js';
import type { CellJobData } from './worker.js';

export interface SubmitResult {
  /** New jobs on the queue. */
  added: number;
  /** Jobs already waiting or running (from an earlier submission). */
  queued: number;
  /** Jobs already completed on the queue (their reports are gathered by `collect`). */
  completed: number;
  /** Failed jobs put back on the queue. */
  retried: number;
  /** Cells skipped: their report is in the store. */
  stored: number;
  /** Models whose bytes were put on the queue (each once). */
  modelsUploaded: number;
}

export interface CancelResult {
  /** Waiting jobs removed from the queue. */
  removed: number;
  /** Running jobs told to stop (their workers abort them). */
  stopping: number;
  /** Jobs already finished (left as they are). */
  finished: number;
}

export interface CollectOptions {
  store?: SweepStore;
  onEvent?: SweepEventHandler;
  /** How often every unfinished job's state is read (events are not relied on alone; default 2 s). */
  pollMs?: number;
  /** Stops collecting; unfinished cells are returned as pending. */
  signal?: AbortSignal;
}

/** A finished state, as BullMQ names them. */
const FINISHED = new Set(['completed', 'failed']);

export class SweepQueue {
  private constructor(
    readonly name: string,
    private readonly ref: QueueRef,
    readonly queue: Queue<CellJobData, RunReport>,
  ) {}

  static async open(ref: QueueRef): Promise<SweepQueue> {
    const name = ref.queue ?? DEFAULT_QUEUE;
    const connection = redisConnection(ref.url);
    const queue = new Queue<CellJobData, RunReport>(name, { connection });
    queue.on('error', () => {}); // after the first connection, errors surface as rejected calls
    return new SweepQueue(name, ref, await connected(queue, ref.url, connection));
  }

  private get keys() {
    return sweepKeys(this.name);
  }

  private job(cell: SweepCell): Promise<Job<CellJobData, RunReport> | undefined> {
    return this.queue.getJob(jobIdOf(cell.key));
  }

  /** Puts the cells on the queue (see SubmitResult); the models' bytes go once per model. */
  async submit(cells: readonly SweepCell[], options: { store?: SweepStore } = {}): Promise<SubmitResult> {
    const client = await this.queue.client;
    const todo = cells.filter((c) => options.store?.read(c.key) == null);
    const result: SubmitResult = { added: 0, queued: 0, completed: 0, retried: 0, stored: cells.length - todo.length, modelsUploaded: 0 };
    result.modelsUploaded = await uploadModels(client, this.keys.models, todo);
    if (todo.length > 0) await client.hdel(this.keys.cancelled, ...todo.map((c) => jobIdOf(c.key)));
    const fresh: SweepCell[] = [];
    for (const cell of todo) {
      const job = await this.job(cell);
      const state = job === undefined ? 'unknown' : await job.getState();
      if (state === 'unknown') fresh.push(cell);
      else if (state === 'completed') result.completed++;
      else if (state === 'failed') {
        await job!.retry('failed');
        result.retried++;
      } else result.queued++;
    }
    if (fresh.length > 0) {
      await this.queue.addBulk(
        fresh.map((c) => ({
          name: c.run.method,
          data: { run: c.run, label: c.label },
          opts: { jobId: jobIdOf(c.key), attempts: 1, removeOnComplete: false, removeOnFail: false },
        })),
      );
    }
    result.added = fresh.length;
    return result;
  }

  /** Stops the cells: waiting jobs are removed, running ones are marked so that their workers abort them and no worker starts them. */
  async cancel(cells: readonly SweepCell[]): Promise<CancelResult> {
    const client = await this.queue.client;
    const result: CancelResult = { removed: 0, stopping: 0, finished: 0 };
    const ids = cells.map((c) => jobIdOf(c.key));
    // Marked first: a job taken between the state read and the removal still stops.
    if (ids.length > 0) await client.hset(this.keys.cancelled, Object.fromEntries(ids.map((id) => [id, String(Date.now())])));
    for (const cell of cells) {
      const job = await this.job(cell);
      if (job === undefined) continue;
      const state = await job.getState();
      if (FINISHED.has(state)) result.finished++;
      else if (state === 'active') result.stopping++;
      else {
        try {
          await job.remove();
          result.removed++;
        } catch {
          result.stopping++; // taken by a worker meanwhile (locked): the mark stops it
        }
      }
    }
    return result;
  }

  /**
   * Waits until every cell is finished, storing each report once as its job completes; per-cell
   * events on the way (progress from the workers, through BullMQ's QueueEvents). A cell whose job
   * disappears (cancelled) ends as pending.
   */
  async collect(cells: readonly SweepCell[], options: CollectOptions = {}): Promise<CellOutcome[]> {
    const emit = options.onEvent ?? (() => {});
    const grid: GridState = { total: cells.length, done: 0, failed: 0, running: 0 };
    const outcomes = new Map<string, CellOutcome>();
    const pending = new Map<string, SweepCell>();
    const active = new Set<string>();
    const snapshot = (): GridState => ({ ...grid, running: active.size });
    for (const cell of cells) {
      const stored = options.store?.read(cell.key) ?? null;
      if (stored === null) {
        pending.set(jobIdOf(cell.key), cell);
        continue;
      }
      grid.done++;
      outcomes.set(cell.key, { cell, status: 'skipped', report: stored });
      emit({ type: 'cell-done', cell, grid: snapshot(), report: stored, skipped: true });
    }

    const connection = redisConnection(this.ref.url);
    const events = new QueueEvents(this.name, { connection });
    events.on('error', () => {});
    const check = async (id: string): Promise<void> => {
      const cell = pending.get(id);
      if (cell === undefined) return;
      const job = await this.queue.getJob(id);
      const state = job === undefined ? 'missing' : await job.getState();
      if (state === 'active' && !active.has(id)) {
        active.add(id);
        emit({ type: 'cell-start', cell, grid: snapshot(), ...(job?.processedBy ? { worker: job.processedBy } : {}) });
      } else if (state !== 'active') active.delete(id); // e.g. back to waiting after its worker died
      if (!FINISHED.has(state) && state !== 'missing' && state !== 'unknown') return;
      if (!pending.delete(id)) return; // another check got here first: each cell is reported once
      active.delete(id);
      if (state === 'completed') {
        let report: RunReport;
        try {
          report = parseWith(RunReport, job!.returnvalue, `report of cell ${cell.key}`);
        } catch (e) {
          grid.failed++;
          const error = `the worker returned no valid report: ${oneLineError(e)}`;
          outcomes.set(cell.key, { cell, status: 'failed', error });
          emit({ type: 'cell-failed', cell, grid: snapshot(), error });
          return;
        }
        options.store?.write(cell.key, report);
        grid.done++;
        const worker = job!.processedBy;
        outcomes.set(cell.key, { cell, status: 'done', report, ...(worker ? { worker } : {}) });
        emit({ type: 'cell-done', cell, grid: snapshot(), report, skipped: false, ...(worker ? { worker } : {}) });
      } else if (state === 'failed') {
        grid.failed++;
        const error = (job!.failedReason || 'failed').split('\n')[0]!;
        outcomes.set(cell.key, { cell, status: 'failed', error });
        emit({ type: 'cell-failed', cell, grid: snapshot(), error });
      } else {
        outcomes.set(cell.key, { cell, status: 'pending', state: 'not on the queue (cancelled or removed)' });
        emit({ type: 'log', message: `${cell.label}: not on the queue any more (cancelled or removed)`, grid: snapshot() });
      }
    };
    // Checks run one at a time, in order: a completion is read once, and the events' order is kept.
    let chain = Promise.resolve();
    const enqueue = (id: string): void => {
      chain = chain.then(() => check(id)).catch((e: Error) => emit({ type: 'log', message: `queue: ${e.message}`, grid: snapshot() }));
    };
    events.on('active', ({ jobId }) => enqueue(jobId));
    events.on('completed', ({ jobId }) => enqueue(jobId));
    events.on('failed', ({ jobId }) => enqueue(jobId));
    events.on('removed', ({ jobId }) => enqueue(jobId));
    events.on('progress', ({ jobId, data }) => {
      const cell = pending.get(jobId);
      if (cell !== undefined && typeof data === 'object' && data !== null && 'message' in data) {
        emit({ type: 'cell-progress', cell, grid: snapshot(), progress: data as CellProgress });
      }
    });
    try {
      await connected(events, this.ref.url, connection);
      const pollMs = options.pollMs ?? 2000;
      while (pending.size > 0 && options.signal?.aborted !== true) {
        for (const id of [...pending.keys()]) enqueue(id);
        await chain;
        if (pending.size === 0) break;
        await new Promise<void>((res) => {
          const t = setTimeout(res, pollMs);
          options.signal?.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
        });
      }
      await chain;
    } finally {
      await events.close();
    }
    for (const cell of pending.values()) outcomes.set(cell.key, { cell, status: 'pending', state: 'unfinished' });
    return cells.map((c) => outcomes.get(c.key)!);
  }

  /** Job counts of the whole queue by state (waiting, active, completed, failed, …). */
  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
