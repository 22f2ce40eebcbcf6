/**
 * `runMethod(run, options)`: one method run, described by JSON (method, config, model, data,
 * seed, energy profile), to its RunReport. The engine must be started (`initEngine`) first;
 * the report names the backend that ran.
 */
import type { Dataset } from '@spikelite/data';
import { loadEnergyProfile } from '@spikelite/energy';
import { DEFAULT_ENERGY_PROFILE, parseWith, EnergyProfile, type RunReport } from '@spikelite/schemas';
import { MethodContext, type FinishedRun } from './context.js';
import type { PipelineEventHandler } from './events.js';
import { getMethod } from './registry.js';
import { loadData, modelClasses, resolveModel, type DataHooks } from './resolve.js';
import { createResources, type Resources } from './resources.js';
import { parseMethodRun, type DataRef, type MethodRun, type MethodRunInput } from './run-spec.js';

/** How a run is carried out; none of it changes the RunReport (but `openData` must return the data `run.data` names). */
export interface RunOptions {
  /** Progress and log lines. */
  onEvent?: PipelineEventHandler;
  /** Training stages checkpoint to <out>/ann and <out>/snn; conversion.json and hybrid.json go here too. */
  out?: string;
  /** Continue a killed run: a stage with a checkpoint in <resume>/<stage> resumes from it. */
  resume?: string;
  /**
   * Loads a data reference (default `loadData`: @spikelite/data's loadDataset), told the model's
   * classes and where decoding progress and warnings go (as `data` and `log` events).
   */
  openData?: (ref: DataRef, hooks: DataHooks) => Promise<Dataset>;
  /** Shared between runs of one process (datasets, ONNX imports, onnxruntime accuracies). */
  resources?: Resources;
  /** Sees the run's result (SNN, network, report) before its tensors are freed. */
  onModel?: (run: FinishedRun) => void | Promise<void>;
}

async function profileOf(p: MethodRun['energyProfile']): Promise<EnergyProfile> {
  if (p === undefined) return { ...DEFAULT_ENERGY_PROFILE };
  return typeof p === 'string' ? loadEnergyProfile(p) : parseWith(EnergyProfile, p, 'energy profile');
}

/**
 * The dataset of a run, as `runMethod` loads it: image files are checked against the model's
 * classes (an ONNX file's or a ModelSpec's outputs), decoding progress and warnings go to
 * `onEvent`; shared through `resources`.
 */
export async function openRunData(input: MethodRunInput | MethodRun, options: Pick<RunOptions, 'openData' | 'onEvent' | 'resources'> = {}): Promise<Dataset> {
  const run = parseMethodRun(input);
  const resources = options.resources ?? createResources();
  const classes = await modelClasses(run.model, resources);
  const hooks: DataHooks = {
    ...(classes !== undefined ? { classes } : {}),
    onProgress: (p) => options.onEvent?.({ type: 'data', ...p }),
    onWarning: (message) => options.onEvent?.({ type: 'log', message: `warning: ${message}` }),
  };
  const open = options.openData ?? loadData;
  return resources.dataset(run.data, (ref) => open(ref, hooks), classes);
}

export async function runMethod(input: MethodRunInput | MethodRun, options: RunOptions = {}): Promise<RunReport> {
  const run = parseMethodRun(input);
  const method = getMethod(run.method);
  const resources = options.resources ?? createResources();
  const data = await openRunData(run, { ...options, resources });
  const model = await resolveModel(run.model, data, resources);
  const ctx = new MethodContext({
    method: run.method, data, dataKey: JSON.stringify(run.data), model, seed: run.seed, profile: await profileOf(run.energyProfile), resources,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.onModel ? { onModel: options.onModel } : {}),
    ...(options.out !== undefined ? { out: options.out } : {}),
    ...(options.resume !== undefined ? { resume: options.resume } : {}),
  });
  try {
    return await method.run(run.config, ctx);
  } finally {
    ctx.dispose();
  }
}
