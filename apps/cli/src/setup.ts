/** What every command needs: the engine, a dataset, flags for models and energy profiles, and stderr logging. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError, loadDataset, type Dataset } from '@spikelite/data';
import { ENERGY_PROFILE_NAMES, loadEnergyProfile } from '@spikelite/energy';
import { initEngine, type EngineInfo } from '@spikelite/engine';
import { PRESET_NAMES } from '@spikelite/models';
import { loadOptions, type DataHooks, type DataRef, type ModelRefInput, type PipelineEventHandler } from '@spikelite/pipelines';
import { BACKENDS, DEFAULT_ENERGY_PROFILE, type EnergyProfile } from '@spikelite/schemas';
import type { TrainEvent } from '@spikelite/training';
import { SingleBar } from 'cli-progress';
import { choiceFlag } from './args.js';
import { CliError } from './errors.js';
import { isVerbose } from './verbose.js';

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

/** Training events as progress (a bar per epoch on a terminal) and one line per epoch and checkpoint. */
export function trainProgress(log: Log, stage: string): (e: TrainEvent) => void {
  return (e) => {
    if (e.type === 'batch') {
      const spn = e.spikesPerNeuron === null ? '' : ` spikes/neuron ${e.spikesPerNeuron.toFixed(3)}`;
      log.progress(`${stage} epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} acc ${(e.accuracy * 100).toFixed(1)}%${spn} eta ${Math.round(e.etaMs / 1000)}s`, { value: e.batch, total: e.batches });
    } else if (e.type === 'epoch') {
      const m = e.metrics;
      log.info(`${stage} epoch ${m.epoch}: train loss ${m.trainLoss?.toFixed(4)} test acc ${((m.testAccuracy ?? 0) * 100).toFixed(2)}%${m.spikesPerNeuron === undefined ? '' : ` spikes/neuron ${m.spikesPerNeuron.toFixed(3)}`} (${Math.round((m.wallMs ?? 0) / 1000)}s)`);
    } else log.info(`${stage} checkpoint: ${e.dir}`);
  };
}

/** A pipeline run's events on the log: lines, training progress per stage, evaluation progress (`prefix` names the run). */
export function pipelineLog(log: Log, prefix = ''): PipelineEventHandler {
  return (e) => {
    if (e.type === 'log') log.info(e.message.startsWith(prefix) ? e.message : `${prefix}${e.message}`);
    else if (e.type === 'evaluate') log.progress(`${prefix}evaluating ${e.done}/${e.total} images`, { value: e.done, total: e.total });
    else if (e.type === 'data') readingProgress(log, e, prefix);
    else trainProgress(log, `${prefix}${e.stage}`)(e.event);
  };
}

/** `--backend`: auto or one of the engine's backends (unset: SPIKELITE_BACKEND, else auto). */
export function backendFlag(raw: string | undefined): (typeof BACKENDS)[number] | 'auto' | undefined {
  return choiceFlag('backend', raw, ['auto', ...BACKENDS] as const);
}

/** Starts the engine: one line saying which backend runs; why a better one did not load only with --verbose. */
export async function startEngine(backend: string | undefined, log: Log): Promise<EngineInfo> {
  const chosen = backendFlag(backend);
  const info = await initEngine(chosen === undefined ? {} : { backend: chosen });
  const skipped = info.skipped.map((s) => s.backend);
  log.info(`backend: ${info.backend}${skipped.length > 0 && !isVerbose() ? ` (${skipped.join(', ')} not available; --verbose says why)` : ''}`);
  if (isVerbose()) for (const s of info.skipped) log.info(`  backend ${s.backend} unavailable: ${s.reason}`);
  return info;
}

/** 6,000 train / 1,000 test Fashion-MNIST images shipped with the CLI (see data/fashion-mnist-mini/README.md). */
export const SHIPPED_FASHION_MNIST = fileURLToPath(new URL('../data/fashion-mnist-mini', import.meta.url));

/** Reads shorter than this many images show no progress (a split of one image, as eval reads the train split, says nothing). */
const PROGRESS_FROM_IMAGES = 50;

function readingProgress(log: Log, p: { split: string; done: number; total: number }, prefix = ''): void {
  if (p.total >= PROGRESS_FROM_IMAGES) log.progress(`${prefix}reading ${p.split} images ${p.done}/${p.total}`, { value: p.done, total: p.total });
}

/** Decoding progress of image files on the log (a bar on a terminal), and warnings as lines. */
export function dataLogHooks(log: Log): Required<Pick<DataHooks, 'onProgress' | 'onWarning'>> {
  return {
    onProgress: (p) => readingProgress(log, p),
    onWarning: (message) => log.info(`warning: ${message}`),
  };
}

/**
 * Load a data reference (a name, directory, folder:DIR, list:FILE or nmnist:DIR, with its
 * transform): `hooks` tell the model's classes and where progress goes (default: the log).
 * `fashion-mnist` falls back to the shipped subset when Debian's full set is not installed, so
 * the CLI works offline on any machine.
 */
export async function openDataset(ref: DataRef, log?: Log, hooks: DataHooks = {}): Promise<Dataset> {
  const all: DataHooks = { ...(log ? dataLogHooks(log) : {}), ...hooks };
  try {
    return await loadDataset(ref.name, loadOptions(ref, all));
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    if (ref.name === 'fashion-mnist' && existsSync(SHIPPED_FASHION_MNIST)) {
      log?.info(`Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist for all 70,000 images): using the shipped subset of 6,000 train / 1,000 test images`);
      const mini = await loadDataset(SHIPPED_FASHION_MNIST, loadOptions(ref, all));
      return { ...mini, name: 'fashion-mnist-mini' };
    }
    throw new CliError(`--data: ${e.message}`);
  } finally {
    log?.done();
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

/** `--model` as a pipeline model reference: a preset name, or a ModelSpec JSON file. */
export function modelRef(model: string): ModelRefInput {
  checkModelFlag(model);
  return PRESET_NAMES.includes(model) ? { kind: 'preset', name: model } : { kind: 'specFile', file: model };
}

/**
 * Loads a pipeline data reference as the CLI does (`openDataset`: the shipped subset stands in
 * for a missing Fashion-MNIST; decoding progress on the log). The run's hooks say the model's
 * classes; its progress events go to the log as well (pipelineLog).
 */
export function openDataRef(log: Log): (ref: DataRef, hooks?: DataHooks) => Promise<Dataset> {
  return (ref, hooks = {}) => openDataset(ref, log, hooks);
}

/** Help line of the `--profile` flag of commands that print a RunReport. */
export const PROFILE_HELP = `--profile P          energy profile: ${ENERGY_PROFILE_NAMES.join(' (default), ')} or a JSON file
                       { "name", "macPj", "acPj", "neuronUpdatePj"?, "memoryPj"? }`;

/** `--profile P`: a built-in profile name or a profile JSON file (default cmos45nm-fp32). */
export async function profileFlag(raw: string | undefined): Promise<EnergyProfile> {
  if (raw === undefined) return { ...DEFAULT_ENERGY_PROFILE };
  try {
    return await loadEnergyProfile(raw);
  } catch (e) {
    if ((e as Error).name === 'SpikeliteConfigError') throw new CliError(`--profile: ${(e as Error).message}`);
    throw e;
  }
}
