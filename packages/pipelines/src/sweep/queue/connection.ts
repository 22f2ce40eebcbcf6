/**
 * The queue's Redis: a URL (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS) as
 * BullMQ connection options, and the names under which a sweep keeps its state there.
 */
import type { ConnectionOptions } from 'bullmq';
import { PipelineError } from '../../errors.js';

/** The queue a sweep uses unless told otherwise. */
export const DEFAULT_QUEUE = 'spikelite-sweep';

export interface QueueRef {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  /** The BullMQ queue name (default `spikelite-sweep`): sweeps and workers on one name share jobs. */
  queue?: string;
}

/** Opened by `connected` once the first connection is made; until then a failed connection is not retried. */
const gates = new WeakMap<object, { open: boolean }>();

/**
 * BullMQ connection options of a Redis URL; a malformed URL is a PipelineError naming it. The
 * first connection is not retried, so a wrong URL or a Redis that is down fails at once (see
 * `connected`); once connected, lost connections are retried as BullMQ does (1 to 20 s apart):
 * a worker outlives a Redis restart.
 */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PipelineError(`${url}: not a Redis URL (expected redis://HOST:PORT)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new PipelineError(`${url}: not a Redis URL (expected redis://HOST:PORT or rediss://…, got ${u.protocol.slice(0, -1)}://)`);
  if (u.hostname === '') throw new PipelineError(`${url}: no host (expected redis://HOST:PORT)`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw new PipelineError(`${url}: the database must be a number (redis://HOST:PORT/DB), got '${dbText}'`);
  const gate = { open: false };
  const options = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    ...(dbText !== '' ? { db: Number(dbText) } : {}),
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    retryStrategy: (times: number): number | null => (gate.open ? Math.max(Math.min(Math.exp(times), 20_000), 1000) : null),
  };
  gates.set(options, gate);
  return options;
}

/** Keys of a sweep's own state beside BullMQ's: model bytes by sha256, and the cancelled jobs. */
export function sweepKeys(queue: string): { models: string; cancelled: string } {
  return { models: `spikelite:${queue}:models`, cancelled: `spikelite:${queue}:cancelled` };
}

/**
 * The BullMQ job id of a cell: its runKey. BullMQ refuses ids that read as integers; a key of 16
 * hex digits that happens to be all decimal digits gets a 'k' in front.
 */
export function jobIdOf(key: string): string {
  return /^\d+$/.test(key) ? `k${key}` : key;
}

/** What connects to Redis: a BullMQ Queue, Worker or QueueEvents. */
interface Connecting {
  waitUntilReady(): Promise<unknown>;
  on(event: 'error', listener: (e: Error) => void): unknown;
  off(event: 'error', listener: (e: Error) => void): unknown;
  close(): Promise<void>;
}

/**
 * Waits for the first connection of `c`, made with `connection` (from `redisConnection`): a
 * Redis that refuses it or does not answer within `timeoutMs` is a PipelineError naming the
 * URL. Then lost connections are retried.
 */
export async function connected<T extends Connecting>(c: T, url: string, connection: ConnectionOptions, timeoutMs = 10_000): Promise<T> {
  let firstError: Error | undefined;
  const onError = (e: Error): void => void (firstError ??= e);
  c.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const r = await Promise.race([c.waitUntilReady().then(() => 'ready' as const, (e: Error) => e), timeout]);
    if (r === 'ready') {
      gates.get(connection as object)!.open = true;
      return c;
    }
    await c.close().catch(() => {});
    const why = r === 'timeout' ? `no answer in ${timeoutMs / 1000} s` : (firstError ?? r).message.split('\n')[0];
    throw new PipelineError(`${url}: cannot reach Redis (${why})`);
  } finally {
    clearTimeout(timer);
    c.off('error', onError);
  }
}
