/** What every command needs: the engine, a dataset, a model spec, and stderr logging. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError, loadDataset, type Dataset } from '@spikelite/data';
import { initEngine, type BackendName, type EngineInfo } from '@spikelite/engine';
import { PRESET_NAMES, presetSpec } from '@spikelite/models';
import { loadJsonFile, ModelSpec } from '@spikelite/schemas';
import { CliError } from './errors.js';

export interface Log {
  info(msg: string): void;
  /** Overwritable progress line on a terminal; elsewhere a plain line at most every 30 s. */
  progress(msg: string): void;
  done(): void;
}

/**
 * Logs on stderr. Progress overwrites one line on a terminal; into a pipe or file (and with
 * --json) it is thinned to one line every 30 s so long runs still show they are alive.
 */
export function stderrLog(json: boolean): Log {
  const tty = process.stderr.isTTY === true && !json;
  let open = false;
  let lastPlain = 0;
  return {
    info(msg) {
      if (open) process.stderr.write('\n');
      open = false;
      process.stderr.write(`${msg}\n`);
    },
    progress(msg) {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${msg}`);
        open = true;
      } else if (Date.now() - lastPlain >= 30_000) {
        lastPlain = Date.now();
        process.stderr.write(`${msg}\n`);
      }
    },
    done() {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}

export async function startEngine(backend: string | undefined, log: Log): Promise<EngineInfo> {
  const info = await initEngine(backend === undefined ? {} : { backend: backend as BackendName | 'auto' });
  for (const s of info.skipped) log.info(`backend ${s.backend} unavailable: ${s.reason}`);
  log.info(`backend: ${info.backend}`);
  return info;
}

/** 6,000 train / 1,000 test Fashion-MNIST images shipped with the CLI (see data/fashion-mnist-mini/README.md). */
export const SHIPPED_FASHION_MNIST = fileURLToPath(new URL('../data/fashion-mnist-mini', import.meta.url));

/**
 * Load a dataset by name or directory. `fashion-mnist` falls back to the shipped subset when
 * Debian's full set is not installed, so the CLI works offline on any machine.
 */
export async function openDataset(name: string, limits: { limitTrain?: number; limitTest?: number }, log?: Log): Promise<Dataset> {
  try {
    return await loadDataset(name, limits);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    if (name === 'fashion-mnist' && existsSync(SHIPPED_FASHION_MNIST)) {
      log?.info(`Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist for all 70,000 images): using the shipped subset of 6,000 train / 1,000 test images`);
      const mini = await loadDataset(SHIPPED_FASHION_MNIST, limits);
      return { ...mini, name: 'fashion-mnist-mini' };
    }
    throw new CliError(e.message);
  }
}

/** A preset name, or a path to a ModelSpec JSON file; input shape and classes follow the dataset. */
export async function resolveModel(model: string, data: Dataset): Promise<ModelSpec> {
  const input = { channels: data.train.channels, height: data.train.height, width: data.train.width };
  if (PRESET_NAMES.includes(model)) return presetSpec(model, { input, classes: data.train.classes });
  if (model.endsWith('.json') || existsSync(model)) {
    if (!existsSync(model)) throw new CliError(`--model: ${model}: file not found`);
    return loadJsonFile(model, ModelSpec);
  }
  throw new CliError(`--model: unknown preset '${model}' and no such file (presets: ${PRESET_NAMES.join(', ')})`);
}
