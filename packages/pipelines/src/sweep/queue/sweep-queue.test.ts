/**
 * A sweep on a real BullMQ queue (Debian's redis-server, started here on a free port with no
 * persistence): workers in this process (cells in worker threads) take the cells; reports come
 * back once each; a failed cell is reported and the others finish; resubmitting adds no jobs;
 * a worker without the model file gets its bytes from the queue; --cancel removes waiting cells
 * and aborts a running one. Killing worker processes is tested with the CLI (apps/cli).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../../tooling/redis-server.mjs';
import { planSweep, redisConnection, startSweepWorker, SweepQueue, SweepStore, type SweepEvent, type SweepWorker } from '../../index.js';

const fixtures = fileURLToPath(new URL('../../../../../tooling/fixtures/onnx/', import.meta.url));
const shipped = fileURLToPath(new URL('../../../../../apps/cli/data/fashion-mnist-mini', import.meta.url));
const data = { name: shipped, limitTrain: 500, limitTest: 60 };

let redis: TestRedis;
const workers: SweepWorker[] = [];
const queues: SweepQueue[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  for (const w of workers) await w.close(true);
  for (const q of queues) await q.close();
  await redis?.stop();
}, 60_000);

async function open(name: string): Promise<SweepQueue> {
  const q = await SweepQueue.open({ url: redis.url, queue: name });
  queues.push(q);
  return q;
}

async function worker(name: string, options: { cacheDir?: string; concurrency?: number } = {}): Promise<SweepWorker> {
  const w = await startSweepWorker({ url: redis.url, queue: name, backend: 'wasm', lockDurationMs: 5000, ...options });
  workers.push(w);
  return w;
}

describe('redisConnection', () => {
  it('reads redis:// URLs and names a bad one', () => {
    const { retryStrategy, ...options } = redisConnection('redis://10.0.0.5:6380/2') as { retryStrategy: (times: number) => number | null };
    expect(options).toEqual({ host: '10.0.0.5', port: 6380, db: 2 });
    expect(retryStrategy(1)).toBeNull(); // the first connection is not retried (see `connected`)
    expect(redisConnection('rediss://user:p%40ss@redis.example')).toMatchObject({ host: 'redis.example', port: 6379, username: 'user', password: 'p@ss', tls: {} });
    expect(() => redisConnection('http://x:1')).toThrow(/http:\/\/x:1: not a Redis URL \(expected redis:\/\/HOST:PORT or rediss:\/\/…, got http:\/\/\)/);
    expect(() => redisConnection('10.0.0.5:6379')).toThrow(/not a Redis URL/);
    expect(() => redisConnection('redis://h:1/x')).toThrow(/the database must be a number/);
  });

  it('a Redis that refuses the connection is one error naming the URL, at once', async () => {
    const t0 = Date.now();
    await expect(SweepQueue.open({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(/^redis:\/\/127\.0\.0\.1:1: cannot reach Redis \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/);
    await expect(startSweepWorker({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(/cannot reach Redis/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('a sweep on a BullMQ queue', () => {
  it('runs the cells on workers, reports each once, a failed cell with its error; resubmitting adds no jobs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-queue-'));
    const broken = join(dir, 'broken.onnx');
    writeFileSync(broken, 'not an ONNX model');
    const cells = await planSweep({ models: [join(fixtures, 'fmnist-cnn-bn.onnx'), broken], methods: ['threshold'], timesteps: [2, 4], options: { threshold: { calib: 32 } }, data });
    const q = await open('basic');
    const submitted = await q.submit(cells);
    expect(submitted).toEqual({ added: 4, queued: 0, completed: 0, retried: 0, stored: 0, modelsUploaded: 2 });
    await worker('basic', { concurrency: 2 });
    const store = new SweepStore(join(dir, 'runs'));
    const events: SweepEvent[] = [];
    const outcomes = await q.collect(cells, { store, onEvent: (e) => events.push(e), pollMs: 500 });
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'failed', 'failed']);
    const failed = outcomes[2]!;
    expect(failed.status === 'failed' && failed.error).toMatch(/broken\.onnx/);
    for (const o of outcomes.slice(0, 2)) {
      expect(o.status === 'done' && o.worker).toMatch(/:\d+$/); // host:pid of the worker that ran it
      expect(store.read(o.cell.key)).toEqual(o.status === 'done' ? o.report : null);
    }
    // Each cell is reported once; progress came from the workers through the queue's events.
    const finished = events.filter((e) => e.type === 'cell-done' || e.type === 'cell-failed');
    expect(finished.map((e) => ('cell' in e ? e.cell.index : -1)).sort()).toEqual([0, 1, 2, 3]);
    expect(events.some((e) => e.type === 'cell-progress' && e.progress.message.startsWith('evaluating'))).toBe(true);
    expect(finished.at(-1)!.grid).toEqual({ total: 4, done: 2, failed: 2, running: 0 });
    const counts = await q.counts();
    expect(counts).toMatchObject({ completed: 2, failed: 2, waiting: 0, active: 0 });

    // Again: nothing new; the failed jobs are put back (same ids), and fail again.
    expect(await q.submit(cells)).toEqual({ added: 0, queued: 0, completed: 2, retried: 2, stored: 0, modelsUploaded: 0 });
    const again = await q.collect(cells, { pollMs: 500 });
    expect(again.map((o) => o.status)).toEqual(['done', 'done', 'failed', 'failed']);
    // With the reports stored, submitting skips those cells altogether.
    expect(await q.submit(cells, { store })).toMatchObject({ added: 0, stored: 2, retried: 2 });
    await q.collect(cells, { store, pollMs: 500 });
    const total = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);
    expect(total(await q.counts())).toBe(4);
  }, 300_000);

  it('a worker without the model file fetches its bytes from the queue (by sha256) and gives the same report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikelite-queue-'));
    const model = join(dir, 'cnn.onnx');
    copyFileSync(join(fixtures, 'fmnist-cnn-bn.onnx'), model);
    const cells = await planSweep({ models: [model], methods: ['fs'], timesteps: [4], options: { fs: { calib: 32 } }, data });
    const q = await open('bytes');
    expect((await q.submit(cells)).modelsUploaded).toBe(1);
    rmSync(model); // as on a machine that never had it
    const cache = join(dir, 'cache');
    await worker('bytes', { cacheDir: cache });
    const [outcome] = await q.collect(cells, { pollMs: 500 });
    expect(outcome!.status).toBe('done');
    const sha256 = cells[0]!.run.model.kind === 'onnx' ? cells[0]!.run.model.sha256 : '';
    expect(existsSync(join(cache, `${sha256}.onnx`))).toBe(true);
    // The same cell with the file in place, on the original path: the same report.
    copyFileSync(join(fixtures, 'fmnist-cnn-bn.onnx'), model);
    const q2 = await open('bytes-local');
    await q2.submit(cells);
    await worker('bytes-local');
    const [local] = await q2.collect(cells, { pollMs: 500 });
    expect(local!.status).toBe('done');
    if (outcome!.status === 'done' && local!.status === 'done') expect({ ...outcome!.report, wallMs: 0 }).toEqual({ ...local!.report, wallMs: 0 });
  }, 300_000);

  it('--cancel removes waiting cells and aborts a running one; resubmitting runs them again', async () => {
    const cells = await planSweep({
      models: [join(fixtures, 'fmnist-cnn-bn.onnx')], methods: ['threshold'], timesteps: [16, 32],
      options: { threshold: { calib: 32 } }, data: { ...data, limitTest: 1000 },
    });
    const q = await open('cancel');
    await q.submit(cells);
    expect(await q.cancel(cells)).toEqual({ removed: 2, stopping: 0, finished: 0 });
    expect(await q.counts()).toMatchObject({ waiting: 0, active: 0 });
    const gone = await q.collect(cells, { pollMs: 200 });
    expect(gone.map((o) => o.status)).toEqual(['pending', 'pending']);

    // Now running: the first cell (T=16 on 1,000 images, many seconds) is aborted once it runs.
    expect((await q.submit([cells[0]!])).added).toBe(1);
    await worker('cancel');
    const started = new Promise<void>((resolve) => {
      void q.collect([cells[0]!], { pollMs: 200, onEvent: (e) => { if (e.type === 'cell-start' || e.type === 'cell-progress') resolve(); } });
    });
    await started;
    expect(await q.cancel([cells[0]!])).toMatchObject({ stopping: 1 });
    const [cancelled] = await q.collect([cells[0]!], { pollMs: 200 });
    expect(cancelled).toMatchObject({ status: 'failed', error: 'cancelled (spikelite sweep --cancel)' });
    // The worker lives on and takes the next cells; the cancelled one runs again when resubmitted.
    expect(await q.submit(cells)).toMatchObject({ added: 1, retried: 1 });
    const after = await q.collect(cells, { pollMs: 500 });
    expect(after.map((o) => o.status)).toEqual(['done', 'done']);
  }, 300_000);
});
