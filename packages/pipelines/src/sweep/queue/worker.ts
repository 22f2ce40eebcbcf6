/**
 * A sweep worker: takes cells from the BullMQ queue, runs each in a worker thread (cell-pool.ts)
 * and returns its RunReport as the job's result. Any number of workers on any machines share a
 * queue; a machine needs the cells' datasets (models come by content, models.ts).
 *
 * A killed worker's job is not lost: its lock (`lockDurationMs`, renewed every half of it by the
 * main thread, which the run never blocks) expires, another worker's stalled-job check puts it
 * back on the queue, and it runs again from the start. It completes once: a report is the job's
 * result, and a job completes at most once. A job that stalls more than twice (a cell that kills
 * every worker it lands on, e.g. out of memory) fails instead of going round for ever.
 */
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { BackendName } from '@spikelite/engine';
import type { RunReport } from '@spikelite/schemas';
import { PipelineError } from '../../errors.js';
import type { MethodRun } from '../../run-spec.js';
import type { CellProgress } from '../events.js';
import { CellError, CellPool } from './cell-pool.js';
import { connected, DEFAULT_QUEUE, redisConnection, sweepKeys, type QueueRef } from './connection.js';
import { ModelCache } from './models.js';

/** What a job carries: the cell's run description (pinned models) and its label. */
export interface CellJobData {
  run: MethodRun;
  label: string;
}

export interface SweepWorkerOptions extends QueueRef {
  /** Cells run at once, each in its own thread (default 1: one core each; the wasm backend runs one thread per cell). */
  concurrency?: number;
  /** tfjs backend of the cells (default: the engine's choice, or SPIKELITE_BACKEND). */
  backend?: BackendName | 'auto';
  /** Where models fetched from the queue are kept (default <tmpdir>/spikelite-models). */
  cacheDir?: string;
  /** A job's lock; a killed worker's job runs again after about this long (default 30 s). */
  lockDurationMs?: number;
  /** Recorded on every job it runs (BullMQ's processedBy; default host:pid). */
  name?: string;
  onEvent?: (e: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'start'; jobId: string; label: string; attempt: number }
  | { type: 'progress'; jobId: string; label: string; progress: CellProgress }
  | { type: 'done'; jobId: string; label: string; report: RunReport }
  | { type: 'failed'; jobId: string; label: string; error: string }
  | { type: 'error'; message: string };

export interface SweepWorker {
  readonly name: string;
  /** Stops taking jobs; waits for running cells unless `force` (then they run again elsewhere once their lock expires). */
  close(force?: boolean): Promise<void>;
}

const CANCELLED = 'cancelled (spikelite sweep --cancel)';
/** How often running jobs are checked against the sweep's cancelled set. */
const CANCEL_POLL_MS = 1000;
/** The fewest milliseconds between two progress updates of a job on the queue. */
const PROGRESS_EVERY_MS = 500;

export async function startSweepWorker(options: SweepWorkerOptions): Promise<SweepWorker> {
  const queue = options.queue ?? DEFAULT_QUEUE;
  const keys = sweepKeys(queue);
  const lockDuration = options.lockDurationMs ?? 30_000;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const emit = options.onEvent ?? (() => {});
  const pool = new CellPool(options.backend === undefined ? {} : { backend: options.backend });
  const running = new Set<string>();
  // `worker` is made below; the processor and the model cache only use it once it runs.
  const models = new ModelCache(options.cacheDir ?? join(tmpdir(), 'spikelite-models'), () => worker.client, keys.models);

  const processor = async (job: Job<CellJobData, RunReport>, _token?: string, signal?: AbortSignal): Promise<RunReport> => {
    const id = job.id!;
    const { label } = job.data;
    const client = await worker.client;
    if ((await client.hexists(keys.cancelled, id)) === 1) throw new UnrecoverableError(CANCELLED);
    emit({ type: 'start', jobId: id, label, attempt: job.attemptsStarted });
    running.add(id);
    let last = 0;
    try {
      const run = await models.localize(job.data.run);
      const report = await pool.run(
        run,
        (progress) => {
          emit({ type: 'progress', jobId: id, label, progress });
          const now = Date.now();
          if (now - last < PROGRESS_EVERY_MS) return;
          last = now;
          job.updateProgress({ ...progress }).catch(() => {});
        },
        signal,
      );
      emit({ type: 'done', jobId: id, label, report });
      return report;
    } catch (e) {
      const error = signal?.aborted === true ? CANCELLED : e instanceof CellError || e instanceof PipelineError ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
      emit({ type: 'failed', jobId: id, label, error });
      // A cell's error is its own (the same description fails the same way): no retry.
      throw new UnrecoverableError(error);
    } finally {
      running.delete(id);
    }
  };

  const connection = redisConnection(options.url);
  const worker = new Worker<CellJobData, RunReport>(queue, processor, {
    connection,
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
    maxStalledCount: 2,
    name,
    autorun: false,
  });

  // `spikelite sweep --cancel` marks jobs; a running one is aborted here (its thread terminated).
  const poll = setInterval(() => {
    if (running.size === 0) return;
    void (async () => {
      const client = await worker.client;
      for (const id of running) if ((await client.hexists(keys.cancelled, id)) === 1) worker.cancelJob(id, CANCELLED);
    })().catch((e: Error) => emit({ type: 'error', message: e.message }));
  }, CANCEL_POLL_MS);

  try {
    await connected(worker, options.url, connection);
  } catch (e) {
    clearInterval(poll);
    pool.close();
    throw e;
  }
  worker.on('error', (e) => emit({ type: 'error', message: e.message }));
  void worker.run().catch((e: Error) => emit({ type: 'error', message: e.message }));
  return {
    name,
    async close(force = false) {
      clearInterval(poll);
      await worker.close(force);
      pool.close();
    },
  };
}
