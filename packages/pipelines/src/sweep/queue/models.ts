/**
 * How a worker finds a cell's ONNX model: by content. A sweep pins every ONNX file to its sha256
 * (pin.ts) and puts its bytes on the queue's Redis once per model (not once per job: a grid runs
 * one model in many cells). A worker uses the file at the cell's path when it has the same bytes
 * (a shared disk), else the bytes from Redis, kept in its cache directory under their sha256.
 * Datasets do not travel: a cell names a registered dataset or a directory, which every worker
 * must have (Debian's dataset package, or a shared mount).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from 'bullmq';
import { sha256Bytes, sha256File } from '../../content-hash.js';
import { PipelineError } from '../../errors.js';
import type { MethodRun } from '../../run-spec.js';
import type { SweepCell } from '../grid.js';
import { writeFileAtomic } from '../store.js';

/** Puts the bytes of every pinned ONNX model of `cells` under `key` (a hash: sha256 → base64), if not there yet; returns how many were added. */
export async function uploadModels(client: RedisClient, key: string, cells: readonly SweepCell[]): Promise<number> {
  const files = new Map<string, string>();
  for (const { run } of cells) if (run.model.kind === 'onnx' && run.model.sha256 !== undefined) files.set(run.model.sha256, run.model.file);
  let added = 0;
  for (const [sha256, file] of files) {
    if ((await client.hexists(key, sha256)) === 1) continue;
    const bytes = readFileSync(file);
    if (sha256Bytes(bytes) !== sha256) throw new PipelineError(`${file}: changed since the sweep was planned (its sha256 is no longer ${sha256.slice(0, 12)}…)`);
    await client.hset(key, { [sha256]: bytes.toString('base64') });
    added++;
  }
  return added;
}

/** A worker's view of model files: hashes of local files (by path, size and mtime) and the cache of fetched models. */
export class ModelCache {
  private readonly hashes = new Map<string, { stamp: string; sha256: string }>();

  constructor(
    readonly dir: string,
    private readonly client: () => Promise<RedisClient>,
    private readonly key: string,
  ) {}

  private async hashOf(file: string): Promise<string | null> {
    if (!existsSync(file)) return null;
    const st = statSync(file);
    const stamp = `${st.size}:${st.mtimeMs}`;
    const known = this.hashes.get(file);
    if (known?.stamp === stamp) return known.sha256;
    const sha256 = await sha256File(file);
    this.hashes.set(file, { stamp, sha256 });
    return sha256;
  }

  /** The run with its ONNX model at a local file holding the pinned bytes (fetched from Redis if this machine has no such file). */
  async localize(run: MethodRun): Promise<MethodRun> {
    const m = run.model;
    if (m.kind !== 'onnx' || m.sha256 === undefined) return run;
    if ((await this.hashOf(m.file)) === m.sha256) return run;
    const cached = join(this.dir, `${m.sha256}.onnx`);
    if ((await this.hashOf(cached)) !== m.sha256) {
      const b64 = await (await this.client()).hget(this.key, m.sha256);
      if (b64 === null) throw new PipelineError(`${m.file}: this worker has no file with its bytes (sha256 ${m.sha256.slice(0, 12)}…) and the queue has none either`);
      const bytes = Buffer.from(b64, 'base64');
      if (sha256Bytes(bytes) !== m.sha256) throw new PipelineError(`${m.file}: the bytes on the queue do not match its sha256 ${m.sha256.slice(0, 12)}…`);
      mkdirSync(this.dir, { recursive: true });
      writeFileAtomic(cached, bytes);
    }
    return { ...run, model: { ...m, file: cached } };
  }
}
