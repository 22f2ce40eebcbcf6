/** What every command needs: the engine, a dataset, a model spec, and stderr logging. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { DataError, loadDataset, type Dataset, type ImageSet } from '@spikelite/data';
import { BACKENDS, initEngine, type BackendName, type EngineInfo } from '@spikelite/engine';
import { PRESET_NAMES, presetSpec } from '@spikelite/models';
import { loadJsonFile, ModelSpec } from '@spikelite/schemas';
import type { TrainTarget } from '@spikelite/training';
import { SingleBar } from 'cli-progress';
import { choiceFlag } from './args.js';
import { CliError } from './errors.js';

/** How far a counted piece of work is: `value` of `total` units (batches, images, steps). */
export interface ProgressCount {
  value: number;
  total: number;
}

export interface Log {
  info(msg: string): void;
  /**
   * Progress of long work. With `count`, a terminal shows a progress bar followed by `msg`;
   * without, `msg` overwrites one line. Into a pipe or file (or with --json) a plain line at
   * most every 30 s.
   */
  progress(msg: string, count?: ProgressCount): void;
  /** Close an open progress line or bar (call before writing to stderr directly). */
  done(): void;
}

/** What the log writes to: process.stderr, or a fake one in tests. */
export interface LogStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface LogOptions {
  stream: LogStream;
  /** --json: never draw on the terminal (the thinned plain lines still go to the stream). */
  json: boolean;
  /** Minimum gap between plain progress lines (default 30 s). */
  plainEveryMs?: number;
  now?: () => number;
}

const BAR_WIDTH = 24;

/** `[██████░░░░]  42% msg`, cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn in place). */
function barLine(progress: number, maxWidth: number, msg: string): string {
  const p = Math.min(1, Math.max(0, progress));
  const filled = Math.round(p * BAR_WIDTH);
  const line = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${String(Math.floor(p * 100)).padStart(3)}% ${msg}`;
  return line.slice(0, Math.max(1, maxWidth - 1));
}

/**
 * Logs on a stream (stderr). On a terminal, counted progress is a cli-progress bar and other
 * progress overwrites one line; into a pipe or file, and with --json, progress is thinned to
 * one plain line every 30 s so CI logs still show a long run is alive.
 */
export function createLog(options: LogOptions): Log {
  const { stream } = options;
  const tty = stream.isTTY === true && !options.json;
  const plainEveryMs = options.plainEveryMs ?? 30_000;
  const now = options.now ?? Date.now;
  let open = false; // an overwritable plain line is on screen
  let bar: SingleBar | null = null;
  let last: ProgressCount | null = null;
  let lastPlain = -Infinity;

  const closeBar = (): void => {
    bar?.stop(); // final render, then a newline: the finished bar stays on screen
    bar = null;
    last = null;
  };
  const closeLine = (): void => {
    if (open) stream.write('\n');
    open = false;
  };
  const startBar = (msg: string, count: ProgressCount): void => {
    closeLine();
    // linewrap true: cli-progress then never toggles the terminal's autowrap mode, which a
    // killed run would leave off; barLine keeps the line short enough instead.
    bar = new SingleBar({
      stream: stream as NodeJS.WritableStream, linewrap: true, hideCursor: false, gracefulExit: false, fps: 10,
      format: (_o, p, payload: { msg?: string }) => barLine(p.progress, p.maxWidth, payload.msg ?? ''),
    });
    bar.start(count.total, count.value, { msg });
    last = count;
  };

  return {
    info(msg) {
      closeBar();
      closeLine();
      stream.write(`${msg}\n`);
    },
    progress(msg, count) {
      if (!tty) {
        if (now() - lastPlain >= plainEveryMs) {
          lastPlain = now();
          stream.write(`${msg}\n`);
        }
        return;
      }
      if (count !== undefined && count.total > 0) {
        // A new total or a count going backwards is new work (next stage): a new bar.
        if (bar !== null && last !== null && (count.total !== last.total || count.value < last.value)) closeBar();
        if (bar === null) startBar(msg, count);
        else {
          bar.update(count.value, { msg });
          last = count;
        }
      } else if (bar !== null) bar.update({ msg });
      else {
        stream.write(`\r\x1b[2K${msg}`);
        open = true;
      }
    },
    done() {
      closeBar();
      closeLine();
    },
  };
}

/** The CLI's log: stderr; bars only on a terminal and without --json. */
export function stderrLog(json: boolean): Log {
  return createLog({ stream: process.stderr, json });
}

/**
 * `target`, reporting every evaluated batch to `log` as counted progress (`evaluate` has no
 * callback; wrapping predict leaves its batches, seeds and results untouched).
 */
export function withEvalProgress(target: TrainTarget, images: number, log: Log, label = 'evaluating'): TrainTarget {
  let done = 0;
  // Everything else passes through unchanged (targets are plain objects of closures), so
  // fields added to TrainTarget later (e.g. inputElementsPerLayer) are not lost here.
  return {
    ...target,
    predict(x, rng) {
      const p = target.predict(x, rng);
      done += x.shape[0] ?? 0;
      log.progress(`${label} ${done}/${images} images`, { value: done, total: images });
      return p;
    },
  };
}

/** `--backend`: auto or one of the engine's backends (unset: SPIKELITE_BACKEND, else auto). */
export function backendFlag(raw: string | undefined): BackendName | 'auto' | undefined {
  return choiceFlag('backend', raw, ['auto', ...BACKENDS] as const);
}

export async function startEngine(backend: string | undefined, log: Log): Promise<EngineInfo> {
  const chosen = backendFlag(backend);
  const info = await initEngine(chosen === undefined ? {} : { backend: chosen });
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
    throw new CliError(`--data: ${e.message}`);
  }
}

/**
 * `--model`: a preset name or an existing ModelSpec file. Checked before the engine and the
 * dataset load, so a typo fails at once.
 */
export function checkModelFlag(model: string): void {
  if (PRESET_NAMES.includes(model) || existsSync(model)) return;
  if (model.endsWith('.json')) throw new CliError(`--model: ${model}: file not found`);
  throw new CliError(`--model: unknown preset '${model}' and no such file (presets: ${PRESET_NAMES.join(', ')})`);
}

/** A preset name, or a path to a ModelSpec JSON file; input shape and classes follow the dataset. */
export async function resolveModel(model: string, data: Dataset): Promise<ModelSpec> {
  const input = { channels: data.train.channels, height: data.train.height, width: data.train.width };
  checkModelFlag(model);
  if (PRESET_NAMES.includes(model)) return presetSpec(model, { input, classes: data.train.classes });
  return loadJsonFile(model, ModelSpec);
}

/** Images `from` … `from + count − 1` of `set` as one NHWC tensor (the caller disposes it). */
export function imageTensor(set: ImageSet, from = 0, count = set.count - from): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  return tf.tensor4d(set.images.subarray(from * size, (from + count) * size), [count, set.height, set.width, set.channels]);
}
