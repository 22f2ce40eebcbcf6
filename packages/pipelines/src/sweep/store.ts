/**
 * Where a sweep's reports go: one RunReport per cell, `<dir>/<runKey>.json`, written atomically
 * (a temporary file renamed into place), so a killed sweep never leaves half a report and a
 * report that exists is a finished cell.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunReport, SpikeliteConfigError, parseWith } from '@spikelite/schemas';

/** Writes `data` to `file` atomically: a temporary file beside it, then rename. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export class SweepStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The report file of a cell. */
  path(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The cell's stored report, or null if there is none (or it is not a valid RunReport, e.g. from another version). */
  read(key: string): RunReport | null {
    let text: string;
    try {
      text = readFileSync(this.path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      return parseWith(RunReport, JSON.parse(text), this.path(key));
    } catch (e) {
      if (e instanceof SyntaxError || e instanceof SpikeliteConfigError) return null;
      throw e;
    }
  }

  /** Stores a cell's report (validated) atomically; returns its file. */
  write(key: string, report: RunReport): string {
    const file = this.path(key);
    writeFileAtomic(file, `${JSON.stringify(parseWith(RunReport, report, `report of cell ${key}`), null, 1)}\n`);
    return file;
  }
}
