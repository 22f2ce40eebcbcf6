/**
 * `spikelite worker --queue redis://HOST:PORT`: runs sweep cells from the queue until stopped
 * (SIGINT/SIGTERM: finish the running cells; a second signal: stop at once, and the cells run
 * again elsewhere). Start one per machine (or per core) with any process manager.
 */
import { startSweepWorker, type WorkerEvent } from '@spikelite/pipelines';
import { intFlag, parseFlags, required } from '../args.js';
import { forFlag } from '../errors.js';
import { backendFlag, stderrLog } from '../setup.js';

export const WORKER_HELP = `spikelite worker — run the cells of sweeps from a BullMQ queue (spikelite sweep --queue)

  --queue redis://HOST:PORT    the queue's Redis (required; redis://user:password@host:port/db, rediss:// for TLS)
  --queue-name NAME            the queue (default spikelite-sweep)
  --concurrency N              cells at once, each in its own thread on one core (default 1)
  --backend B                  tensorflow | wasm | cpu (default: best available)
  --cache DIR                  where models fetched from the queue are kept (default <tmp>/spikelite-models)
  --lock-ms MS                 a job's lock: a killed worker's cell runs again elsewhere after about this
                               long (default 30000; renewed every half of it while the cell runs)
  --name NAME                  recorded on each job it runs (default host:pid)

A worker needs the cells' data (a registered dataset such as Debian's Fashion-MNIST, or the same
directory as the submitter, e.g. a shared mount); models come from the queue by their sha256 when
the worker has no file with the same bytes at the cell's path. SIGINT or SIGTERM finishes the
running cells and stops; a second one stops at once (the queue gives those cells to another worker).

Example:
  spikelite worker --queue redis://10.0.0.5:6379 --concurrency 4      (on every machine)`;

const FLAGS = {
  queue: { type: 'string' }, 'queue-name': { type: 'string' }, concurrency: { type: 'string' }, backend: { type: 'string' },
  cache: { type: 'string' }, 'lock-ms': { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean' },
} as const;

export async function workerCommand(argv: string[]): Promise<null> {
  const { values: f } = parseFlags(argv, FLAGS);
  const url = required('queue', f.queue);
  const concurrency = intFlag('concurrency', f.concurrency, { min: 1, fallback: 1 })!;
  const lockDurationMs = intFlag('lock-ms', f['lock-ms'], { min: 1000, fallback: 30_000 })!;
  const backend = backendFlag(f.backend);
  const log = stderrLog(false);
  let lastError = '';
  const onEvent = (e: WorkerEvent): void => {
    if (e.type !== 'error') lastError = '';
    if (e.type === 'start') log.info(`${e.label}: started (job ${e.jobId}${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})`);
    else if (e.type === 'progress') log.progress(`${e.label}: ${e.progress.message}`, e.progress.total !== undefined ? { value: e.progress.done ?? 0, total: e.progress.total } : undefined);
    else if (e.type === 'done') log.info(`${e.label}: done, ${(e.report.accuracy * 100).toFixed(2)}% in ${(e.report.wallMs / 1000).toFixed(0)} s (backend ${e.report.backend})`);
    else if (e.type === 'failed') log.info(`${e.label}: failed: ${e.error}`);
    else if (e.message !== lastError) {
      // Once per outage: BullMQ retries a lost connection every few seconds.
      lastError = e.message;
      log.info(`queue: ${e.message} (retrying)`);
    }
  };
  const worker = await forFlag('queue', () =>
    startSweepWorker({
      url, concurrency, lockDurationMs, onEvent,
      ...(f['queue-name'] !== undefined ? { queue: f['queue-name'] } : {}),
      ...(backend !== undefined ? { backend } : {}),
      ...(f.cache !== undefined ? { cacheDir: f.cache } : {}),
      ...(f.name !== undefined ? { name: f.name } : {}),
    }),
  );
  log.info(`worker ${worker.name}: waiting for cells on ${url} (${f['queue-name'] ?? 'spikelite-sweep'}), ${concurrency} at a time`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log.info(`worker ${worker.name}: ${signal} again: stopping now (running cells go back to the queue when their lock expires)`);
        void worker.close(true).finally(resolve);
        return;
      }
      stopping = true;
      log.info(`worker ${worker.name}: ${signal}: finishing the running cells, then stopping (${signal} again: stop now)`);
      void worker.close(false).finally(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  log.done();
  return null;
}
