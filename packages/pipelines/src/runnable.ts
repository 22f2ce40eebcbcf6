/**
 * A trained model made runnable: a checkpoint of @spikelite/training (ANN, or SNN built from
 * its manifest's neuron and encoding) or an ONNX file (an ANN with its weights). What `eval`,
 * `energy` and `export` run, and what a library user evaluates or exports.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@spikelite/data';
import type { LayerUpdates } from '@spikelite/energy';
import { createEncoder } from '@spikelite/encoding';
import { Network, SnnModel } from '@spikelite/models';
import { getNeuronDefinition } from '@spikelite/neurons';
import { importOnnx, networkFromImport, OnnxImportError, type OnnxImport } from '@spikelite/onnx';
import type { Method, RunReport } from '@spikelite/schemas';
import { currentBackend } from '@spikelite/engine';
import { annTarget, CheckpointError, evaluate, loadCheckpoint, snnTarget, type EvalResult, type EvaluateOptions, type LoadedCheckpoint, type TrainTarget } from '@spikelite/training';
import { PipelineError } from './errors.js';
import { onnxImportOptions } from './resources.js';
import type { OnnxInput } from './run-spec.js';
import { buildRunReport, gradedSpikesOf, reportedSteps } from './report.js';
import { transformHint } from './resolve.js';
import type { EnergyProfile, Preprocess } from '@spikelite/schemas';

/** A checkpoint directory, or an ONNX file with its input options (dynamic axes, mean and std). */
export type ModelSource = { checkpoint: string } | { onnx: string; input?: OnnxInput };

export interface RunnableModel {
  /** The method that trained it (`ann` for an ONNX file). */
  readonly method: Method;
  readonly net: Network;
  /** Null for an ANN. */
  readonly snn: SnnModel | null;
  /** What `evaluate` runs (the prediction is argmax U(T) for an SNN). */
  readonly target: TrainTarget;
  /** Model steps per image: 1 for an ANN. */
  readonly timesteps: number;
  readonly checkpoint: LoadedCheckpoint | null;
  readonly imported: OnnxImport | null;
  dispose(): void;
}

/** The checkpoint at `path` (a run or checkpoint directory); errors (PipelineError) name the path. */
export async function openCheckpoint(path: string): Promise<LoadedCheckpoint> {
  try {
    return await loadCheckpoint(path);
  } catch (e) {
    if (e instanceof CheckpointError || (e as Error).name === 'SpikeliteConfigError') throw new PipelineError((e as Error).message);
    throw e;
  }
}

/** Timesteps a checkpoint runs at: 1 for an ANN, else `timesteps` or the checkpoint's own (default 5). */
export function checkpointTimesteps(ck: LoadedCheckpoint, timesteps?: number): number {
  return ck.manifest.method === 'ann' ? 1 : (timesteps ?? ck.manifest.train?.timesteps ?? 5);
}

/** The checkpoint's model (ANN, or SNN with its neuron and encoding) with its tensors loaded. */
export function runnableFromCheckpoint(ck: LoadedCheckpoint, timesteps = checkpointTimesteps(ck)): RunnableModel {
  const m = ck.manifest;
  const net = Network.create(m.spec);
  let snn: SnnModel | null = null;
  let target: TrainTarget;
  if (m.method === 'ann') target = annTarget(net);
  else {
    if (m.neuron === undefined) {
      net.dispose();
      throw new PipelineError(`${ck.dir}: an SNN checkpoint without a neuron spec`);
    }
    snn = new SnnModel(net, { timesteps, neuron: m.neuron, encoder: createEncoder(m.encoding ?? { kind: 'direct' }, { timesteps }) });
    // Evaluation only: the prediction is argmax U(T) whatever the training loss (the hybrid's
    // spike-time loss would need θ_out, which the checkpoint does not carry).
    target = snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 });
  }
  const model: RunnableModel = {
    method: m.method, net, snn, target, timesteps: snn === null ? 1 : timesteps, checkpoint: ck, imported: null,
    dispose: () => {
      snn?.dispose();
      net.dispose();
    },
  };
  for (const [name, v] of target.state()) {
    const t = ck.tensors.get(name);
    if (t === undefined || t.values.length !== v.size) {
      model.dispose();
      throw new PipelineError(`${ck.dir}: tensor '${name}' is missing or has the wrong size`);
    }
    tf.tidy(() => v.assign(tf.tensor(t.values, v.shape)));
  }
  return model;
}

/** An ONNX file as a runnable ANN (import errors as PipelineError naming the file). */
export function runnableFromOnnx(file: string, input: OnnxInput = {}): RunnableModel {
  let imported: OnnxImport;
  try {
    imported = importOnnx(file, onnxImportOptions(input));
  } catch (e) {
    if (e instanceof OnnxImportError) throw new PipelineError(e.message);
    throw e;
  }
  const net = networkFromImport(imported);
  return { method: 'ann', net, snn: null, target: annTarget(net), timesteps: 1, checkpoint: null, imported, dispose: () => net.dispose() };
}

/** A checkpoint (with `timesteps` overriding an SNN's own) or an ONNX file, runnable. */
export async function openRunnable(source: ModelSource, options: { timesteps?: number } = {}): Promise<RunnableModel> {
  if ('onnx' in source) return runnableFromOnnx(source.onnx, source.input);
  const ck = await openCheckpoint(source.checkpoint);
  return runnableFromCheckpoint(ck, checkpointTimesteps(ck, options.timesteps));
}

/**
 * The model must take the set's images. An SNN with the `frames` encoding takes clips: images
 * [H, W, c·T'] of T' ≥ T frames of its [H, W, c] input (event datasets, `nmnist:DIR`).
 */
export function assertFitsImages(model: RunnableModel, set: ImageSet, what = 'the model', preprocess?: Preprocess): void {
  const s = model.net.spec.input;
  if (!('channels' in s)) throw new PipelineError(`${what} takes [${s.shape.join(', ')}] inputs, not images`);
  const encoding = model.snn?.encoder.spec;
  if (encoding?.kind === 'frames') {
    const c = encoding.channels;
    const frames = set.channels / c;
    if (s.channels === c && set.height === s.height && set.width === s.width && Number.isInteger(frames) && frames >= model.timesteps) return;
    throw new PipelineError(
      `images are ${set.height}x${set.width}x${set.channels} but ${what} (frames encoding) takes clips of ${model.timesteps} or more frames of ${s.height}x${s.width}x${s.channels} ` +
        `(${s.height}x${s.width}x${s.channels * model.timesteps} or more channels; an event dataset's bins are its frames)`,
    );
  }
  const inShape = [s.height, s.width, s.channels].join('x');
  const dataShape = [set.height, set.width, set.channels].join('x');
  if (inShape !== dataShape) {
    throw new PipelineError(`images are ${dataShape} but ${what} expects ${inShape}${transformHint(preprocess, s, set)}`);
  }
}

/** `evaluate` of the model on `set`: accuracy, spikes, input spikes, input events. */
export function measureRunnable(model: RunnableModel, set: ImageSet, options: EvaluateOptions = {}): EvalResult {
  return evaluate(model.target, set, options);
}

/**
 * Update ops of every neuron layer (from the neuron registry) and of the output integrator:
 * T updates per image for step neurons, K·T for block (FS) neurons. Undefined for an ANN.
 */
export function neuronUpdatesOf(model: Pick<RunnableModel, 'snn' | 'timesteps'>): { layers: LayerUpdates[]; output: LayerUpdates } | undefined {
  if (model.snn === null) return undefined;
  const T = model.timesteps;
  const layers = model.snn.neurons.map((n) => ({ ops: getNeuronDefinition(n.spec.kind).updateOps, steps: n.mode === 'block' ? n.steps * T : T, kind: n.spec.kind }));
  return { layers, output: { ops: getNeuronDefinition('integrator').updateOps, steps: T, kind: 'integrator' } };
}

/** True when the model's spikes carry values (FS neurons). */
export function hasGradedSpikes(model: Pick<RunnableModel, 'snn'>): boolean {
  return model.snn !== null && gradedSpikesOf(model.snn);
}

/** The RunReport of a measurement of a runnable model (command `eval`). */
export function runnableReport(
  model: RunnableModel,
  measured: EvalResult,
  r: { dataset: RunReport['dataset']; annAccuracy?: number | null; profile?: EnergyProfile; wallMs: number; preprocess?: Preprocess | undefined },
): RunReport {
  return buildRunReport({
    preprocess: r.preprocess,
    command: 'eval', method: model.method, dataset: r.dataset, timesteps: model.snn === null ? 1 : reportedSteps(model.snn), backend: currentBackend(),
    result: measured, annAccuracy: r.annAccuracy ?? null, graph: model.net.graph, gradedSpikes: hasGradedSpikes(model), ...(r.profile ? { profile: r.profile } : {}), wallMs: r.wallMs,
  });
}
