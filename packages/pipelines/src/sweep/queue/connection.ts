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

/** BullMQ connection options of a Redis URL; a malformed URL is a PipelineError naming it. */
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
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    ...(dbText !== '' ? { db: Number(dbText) } : {}),
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
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
