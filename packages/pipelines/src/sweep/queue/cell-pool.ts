/**
 * The threads a queue worker runs cells in. A method run is synchronous tensor work for minutes
 * on end; run on the worker's main thread it would starve the timers that renew the job's lock,
 * and the queue would hand a healthy job to a second worker. So each cell runs in a worker
 * thread (one per concurrent job, kept for the next cell: engine and datasets load once), and a
 * cancelled cell's thread is terminated at once — a running method has no other way to stop.
 */
import { Worker } from 'node:worker_threads';
import type { RunReport } from '@spikelite/schemas';
import type { MethodRun } from '../../run-spec.js';
import type { CellProgress } from '../events.js';
import type { FromThread, ThreadData, ToThread } from './cell-protocol.js';

/** A cell that failed in its thread: the one-line error of the run. */
export class CellError extends Error {
  override readonly name = 'CellError';
}

/**
 * The thread's module: the built file; or, when this package runs from its TypeScript sources
 * (its own tests), the source loaded through tsx, workspace packages by their `source` condition.
 */
function threadEntry(): { entry: URL | string; eval?: boolean; execArgv?: string[] } {
  if (import.meta.url.endsWith('.js')) return { entry: new URL('./cell-thread.js', import.meta.url) };
  const source = JSON.stringify(new URL('./cell-thread.ts', import.meta.url).href);
  const tsx = JSON.stringify('tsx/esm/api'); // the workspace root's dev tool; never reached from a build
  return { entry: `import(${tsx}).then((m) => m.tsImport(${source}, ${source}))`, eval: true, execArgv: ['--conditions', 'source'] };
}

class CellThread {
  private readonly worker: Worker;
  readonly ready: Promise<string>;
  private current: { id: number; resolve: (r: RunReport) => void; reject: (e: Error) => void; onProgress: (p: CellProgress) => void } | null = null;
  private next = 0;
  dead = false;

  constructor(data: ThreadData) {
    const t = threadEntry();
    this.worker = new Worker(t.entry, { workerData: data, ...(t.eval ? { eval: true } : {}), ...(t.execArgv ? { execArgv: t.execArgv } : {}) });
    let started: (backend: string) => void;
    let failed: (e: Error) => void;
    this.ready = new Promise<string>((res, rej) => {
      started = res;
      failed = rej;
    });
    this.ready.catch(() => {});
    this.worker.on('message', (m: FromThread) => {
      if (m.type === 'ready') started(m.backend);
      else if (m.type === 'init-failed') {
        this.dead = true;
        failed(new CellError(`the cell thread could not start: ${m.error}`));
        void this.worker.terminate();
      } else if (this.current !== null && m.id === this.current.id) {
        if (m.type === 'progress') this.current.onProgress(m.progress);
        else {
          const c = this.current;
          this.current = null;
          if (m.type === 'done') c.resolve(m.report);
          else c.reject(new CellError(m.error));
        }
      }
    });
    const die = (why: string): void => {
      this.dead = true;
      failed(new CellError(why));
      const c = this.current;
      this.current = null;
      c?.reject(new CellError(why));
    };
    this.worker.on('error', (e) => die(`the cell thread crashed: ${e.message.split('\n')[0]}`));
    this.worker.on('exit', (code) => die(`the cell thread exited (code ${code})`));
  }

  /** Runs a cell; rejects with CellError (the run's one-line error), or with `signal.reason` when aborted (the thread is then terminated). */
  async run(run: MethodRun, onProgress: (p: CellProgress) => void, signal?: AbortSignal): Promise<RunReport> {
    await this.ready;
    if (this.current !== null) throw new Error('CellThread.run: the thread is busy');
    const id = this.next++;
    return new Promise<RunReport>((resolve, reject) => {
      const onAbort = (): void => {
        const c = this.current;
        this.current = null;
        this.terminate();
        c?.reject(signal!.reason instanceof Error ? signal!.reason : new Error(String(signal!.reason ?? 'cancelled')));
      };
      if (signal?.aborted === true) {
        reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'cancelled')));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = <T>(f: (v: T) => void) => (v: T): void => {
        signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.current = { id, resolve: done(resolve), reject: done(reject), onProgress };
      this.worker.postMessage({ type: 'run', id, run } satisfies ToThread);
    });
  }

  terminate(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

/** Idle threads kept for the next cell; a dead one (crashed, cancelled) is replaced. Its size is bounded by the worker's concurrency. */
export class CellPool {
  private readonly idle: CellThread[] = [];
  private readonly all = new Set<CellThread>();

  constructor(private readonly data: ThreadData) {}

  /** Runs a cell in an idle thread (a new one if none is idle). */
  async run(run: MethodRun, onProgress: (p: CellProgress) => void, signal?: AbortSignal): Promise<RunReport> {
    let thread = this.idle.pop();
    while (thread !== undefined && thread.dead) thread = this.idle.pop();
    if (thread === undefined) {
      thread = new CellThread(this.data);
      this.all.add(thread);
    }
    try {
      return await thread.run(run, onProgress, signal);
    } finally {
      if (thread.dead) this.all.delete(thread);
      else this.idle.push(thread);
    }
  }

  /** Terminates every thread (running cells are abandoned). */
  close(): void {
    for (const t of this.all) t.terminate();
    this.all.clear();
    this.idle.length = 0;
  }
}
