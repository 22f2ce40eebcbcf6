import { imageInput } from '@spikelite/schemas';
/**
 * A checkpoint made runnable (ANN or SNN), shared by `eval` and `energy`: load it (errors as
 * CliErrors), check it fits the dataset, build the network (and its SNN from the manifest's
 * neuron and encoding), copy the weights in; then what energy accounting needs of it: how
 * layer 1 was fed, measured on the images, and each neuron layer's update ops.
 */
import type { Dataset, ImageSet } from '@spikelite/data';
import type { EnergyInput, LayerUpdates } from '@spikelite/energy';
import { createEncoder } from '@spikelite/encoding';
import { Network, SnnModel } from '@spikelite/models';
import { getNeuronDefinition } from '@spikelite/neurons';
import type { Method } from '@spikelite/schemas';
import { annTarget, CheckpointError, loadCheckpoint, snnTarget, type LoadedCheckpoint, type TrainTarget } from '@spikelite/training';
import * as tf from '@tensorflow/tfjs-core';
import { intFlag } from './args.js';
import { CliError } from './errors.js';
import { imageTensor } from './setup.js';

export interface CheckpointModel {
  readonly checkpoint: LoadedCheckpoint;
  readonly method: Method;
  readonly net: Network;
  /** Null for an ANN checkpoint. */
  readonly snn: SnnModel | null;
  readonly target: TrainTarget;
  /** 1 for an ANN. */
  readonly timesteps: number;
}

/** `--checkpoint DIR`: a run directory (with latest.json) or a checkpoint directory. */
export async function openCheckpoint(path: string): Promise<LoadedCheckpoint> {
  try {
    return await loadCheckpoint(path);
  } catch (e) {
    if (e instanceof CheckpointError || (e as Error).name === 'SpikeliteConfigError') throw new CliError(`--checkpoint: ${(e as Error).message}`);
    throw e;
  }
}

/** The dataset's images must have the shape the checkpoint's model expects. */
export function assertFitsData(ck: LoadedCheckpoint, data: Dataset): void {
  const s = imageInput(ck.manifest.spec.input, 'this checkpoint');
  const inShape = [s.height, s.width, s.channels].join('x');
  const dataShape = [data.test.height, data.test.width, data.test.channels].join('x');
  if (inShape !== dataShape) throw new CliError(`--data: images are ${dataShape} but the checkpoint's model expects ${inShape}`);
}

/** Timesteps to run: 1 for an ANN; else `--timesteps` or the checkpoint's own (default 5). */
export function checkpointTimesteps(ck: LoadedCheckpoint, raw: string | undefined): number {
  const m = ck.manifest;
  return m.method === 'ann' ? 1 : intFlag('timesteps', raw, { min: 1, fallback: m.train?.timesteps ?? 5 })!;
}

/** Build the checkpoint's model (ANN, or SNN with its neuron and encoding) and load its tensors. */
export function buildCheckpointModel(ck: LoadedCheckpoint, timesteps: number): CheckpointModel {
  const m = ck.manifest;
  const net = Network.create(m.spec);
  let snn: SnnModel | null = null;
  let target: TrainTarget;
  if (m.method === 'ann') target = annTarget(net);
  else {
    if (m.neuron === undefined) throw new CliError(`--checkpoint: ${ck.dir}: an SNN checkpoint without a neuron spec`);
    snn = new SnnModel(net, { timesteps, neuron: m.neuron, encoder: createEncoder(m.encoding ?? { kind: 'direct' }, { timesteps }) });
    // Evaluation only: the prediction is argmax U(T) whatever the training loss, and the
    // hybrid's spike-time loss would need θ_out, which the checkpoint does not carry.
    target = snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 });
  }
  for (const [name, v] of target.state()) {
    const t = ck.tensors.get(name);
    if (t === undefined || t.values.length !== v.size) throw new CliError(`--checkpoint: ${ck.dir}: tensor '${name}' is missing or has the wrong size`);
    tf.tidy(() => v.assign(tf.tensor(t.values, v.shape)));
  }
  return { checkpoint: ck, method: m.method, net, snn, target, timesteps };
}

/**
 * How layer 1 was fed, for energy accounting: the steps whose input is analog (MACs) and the
 * input spikes per element per image on the others (ACs), counted on `set` step by step
 * (nonzero elements: ±1 Poisson spikes count too). Stochastic encoders are counted with a
 * fixed seed per batch: an estimate of the same rate the evaluation saw.
 */
export function measureInput(model: CheckpointModel, set: ImageSet, batchSize = 256): EnergyInput['input'] {
  const T = model.timesteps;
  if (model.snn === null) return { analogSteps: 1, inputSpikesPerElement: 0 };
  const encoder = model.snn.encoder;
  const steps = Array.from({ length: T }, (_, t) => t);
  const analogSteps = steps.filter((t) => encoder.isAnalog(t)).length;
  const spikeSteps = steps.filter((t) => !encoder.isAnalog(t));
  const byStep = new Float64Array(T);
  const perImage = set.height * set.width * set.channels;
  if (spikeSteps.length > 0 && set.count > 0) {
    for (let start = 0, b = 0; start < set.count; start += batchSize, b++) {
      const n = Math.min(batchSize, set.count - start);
      const x = imageTensor(set, start, n);
      encoder.beginBatch(0x5eed + b);
      for (const t of spikeSteps) {
        const count = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(encoder.encode(x, t), 0), 'float32')));
        byStep[t]! += count.dataSync()[0]!;
        count.dispose();
      }
      x.dispose();
    }
  }
  const elements = Math.max(1, set.count * perImage);
  const spikesPerElementByStep = Array.from(byStep, (v) => v / elements);
  return { analogSteps, inputSpikesPerElement: spikesPerElementByStep.reduce((a, v) => a + v, 0), spikesPerElementByStep };
}

/**
 * Update ops of every neuron layer, from the neuron registry (`updateOps`), and of the output
 * integrator: T updates per image for step neurons, K·T for block (FS) neurons. Undefined for an ANN.
 */
export function neuronUpdatesOf(model: CheckpointModel): { layers: LayerUpdates[]; output: LayerUpdates } | undefined {
  if (model.snn === null) return undefined;
  const T = model.timesteps;
  const layers = model.snn.neurons.map((n) => ({
    ops: getNeuronDefinition(n.spec.kind).updateOps,
    steps: n.mode === 'block' ? n.steps * T : T,
    kind: n.spec.kind,
  }));
  return { layers, output: { ops: getNeuronDefinition('integrator').updateOps, steps: T, kind: 'integrator' } };
}

/** True when any neuron layer's spikes carry graded values (FS: d(t)). */
export function hasGradedSpikes(model: CheckpointModel): boolean {
  return model.snn?.neurons.some((n) => getNeuronDefinition(n.spec.kind).gradedSpikes) ?? false;
}
