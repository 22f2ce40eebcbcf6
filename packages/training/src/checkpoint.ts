/**
 * Checkpoints on disk: `<run>/checkpoints/epoch-NNNN/{manifest.json, weights.bin}` plus
 * `<run>/latest.json` naming the newest. Each epoch directory is written under a temporary
 * name and renamed into place, and `latest.json` is replaced by rename, so a crash at any
 * moment leaves the previous checkpoint intact and pointed to.
 */
import { mkdir, readFile, rename, rm, writeFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Checkpoint, DTYPE_BYTES, parseWith, type TensorEntry } from '@spikelite/schemas';

export interface TensorData {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export type CheckpointManifest = Omit<Checkpoint, 'tensors' | 'schemaVersion' | 'kind' | 'createdAt'>;

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Write a checkpoint for `manifest.epoch` and point `latest.json` at it. Returns its directory. */
export async function saveCheckpoint(
  runDir: string,
  manifest: CheckpointManifest,
  tensors: ReadonlyMap<string, TensorData>,
  options: { keep?: number } = {},
): Promise<string> {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const length = t.values.length * DTYPE_BYTES.float32;
    entries.push({ name, shape: [...t.shape], dtype: 'float32', offset, length });
    offset += length;
  }
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const t of tensors.values()) {
    bin.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), at);
    at += t.values.byteLength;
  }
  const full = parseWith(
    Checkpoint,
    { schemaVersion: 1, kind: 'spikelite-checkpoint', ...manifest, tensors: entries, createdAt: new Date().toISOString() },
    'checkpoint manifest',
  );

  const ckDir = join(runDir, 'checkpoints');
  await mkdir(ckDir, { recursive: true });
  const name = `epoch-${String(manifest.epoch).padStart(4, '0')}`;
  const tmp = join(ckDir, `.${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  await writeFile(join(tmp, 'weights.bin'), bin);
  await writeFile(join(tmp, 'manifest.json'), JSON.stringify(full, null, 1));
  const final = join(ckDir, name);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  const latestTmp = join(runDir, `.latest.json.tmp-${process.pid}`);
  await writeFile(latestTmp, JSON.stringify({ checkpoint: `checkpoints/${name}`, epoch: manifest.epoch }) + '\n');
  await rename(latestTmp, join(runDir, 'latest.json'));

  // Keep the newest `keep` epochs.
  const keep = options.keep ?? 2;
  const all = (await readdir(ckDir)).filter((d) => /^epoch-\d+$/.test(d)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(join(ckDir, old), { recursive: true, force: true });
  return final;
}

/** Resolve a run directory (via latest.json) or a checkpoint directory to the checkpoint directory. */
export async function resolveCheckpointDir(path: string): Promise<string> {
  if (await exists(join(path, 'manifest.json'))) return path;
  const latest = join(path, 'latest.json');
  if (await exists(latest)) {
    let pointer: { checkpoint?: unknown };
    try {
      pointer = JSON.parse(await readFile(latest, 'utf8')) as { checkpoint?: unknown };
    } catch (e) {
      throw new CheckpointError(`${latest}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof pointer.checkpoint !== 'string') throw new CheckpointError(`${latest}: missing "checkpoint" field`);
    return join(path, pointer.checkpoint);
  }
  if (!(await exists(path))) throw new CheckpointError(`${path}: no such checkpoint or run directory`);
  throw new CheckpointError(`${path}: neither a checkpoint (manifest.json) nor a run directory (latest.json)`);
}

export interface LoadedCheckpoint {
  readonly dir: string;
  readonly manifest: Checkpoint;
  readonly tensors: Map<string, TensorData>;
}

export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const dir = await resolveCheckpointDir(path);
  const manifestPath = join(dir, 'manifest.json');
  const weightsPath = join(dir, 'weights.bin');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new CheckpointError(`${manifestPath}: cannot read`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${manifestPath}: not valid JSON (${(e as Error).message})`);
  }
  const manifest = parseWith(Checkpoint, raw, manifestPath);
  let bin: Buffer;
  try {
    bin = await readFile(weightsPath);
  } catch {
    throw new CheckpointError(`${weightsPath}: cannot read`);
  }
  const tensors = new Map<string, TensorData>();
  for (const e of manifest.tensors) {
    if (e.offset + e.length > bin.byteLength) {
      throw new CheckpointError(`${weightsPath}: truncated: tensor '${e.name}' needs bytes ${e.offset}..${e.offset + e.length}, file has ${bin.byteLength}`);
    }
    // Copy into an aligned buffer (Node's Buffer may sit at any offset of its pool).
    const values = new Float32Array(e.length / 4);
    new Uint8Array(values.buffer).set(bin.subarray(e.offset, e.offset + e.length));
    tensors.set(e.name, { shape: e.shape, values });
  }
  return { dir, manifest, tensors };
}
