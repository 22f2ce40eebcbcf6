/**
 * The SNN view of a {@link Network}: every activation becomes a layer of neurons, the input
 * is encoded over T timesteps, and the last layer integrates its input into the output
 * membrane U(t) = U(t−1) + W·s(t) (SPEC §4a: no leak, no spikes), whose U(T) are the logits.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@spikelite/engine';
import type { Encoder } from '@spikelite/encoding';
import { createNeuronLayer, getNeuronDefinition, type NeuronLayer, type NeuronState } from '@spikelite/neurons';
import type { NeuronSpec } from '@spikelite/schemas';
import { execute, type ExecContext } from './execute.js';
import { shapeSize, type Node } from './graph.js';
import { dropoutMask, type Network } from './network.js';

type ActivationNode = Extract<Node, { op: 'activation' }>;

export interface SnnOptions {
  timesteps: number;
  /** The neuron of every activation, or a function choosing one per activation. */
  neuron: NeuronSpec | ((node: ActivationNode) => NeuronSpec);
  encoder: Encoder;
}

export interface SnnForwardOptions {
  /** Dropout on (one mask per forward pass, reused at every timestep: SPEC §4a). */
  training?: boolean;
  rng?: Rng;
  /** Keep U(t) of every step (the hybrid loss needs the membrane trace). */
  recordMembrane?: boolean;
  /** Called with every activation layer's spikes at every step (rasters, demos). */
  onSpikes?: (layer: number, t: number, spikes: tf.Tensor) => void;
  /**
   * Free each step's intermediates as soon as the step ends (inference and calibration over
   * many steps). Only valid when no gradient is being taken.
   */
  release?: boolean;
  /**
   * Sum each weight layer's input at every step into `inputCounts` (energy accounting of the
   * spikes that reach a layer). Off by default: training and calibration do not need it.
   */
  countInputs?: boolean;
  /** Called with every activation layer's input current at every step (threshold balancing). */
  onNeuronInput?: (layer: number, t: number, input: tf.Tensor) => void;
  /** Called with every step neuron layer's state after each step (the membrane is `state.u`: voltage recording). */
  onState?: (layer: number, t: number, state: NeuronState) => void;
  /** Called with the network's output at every step, before it is added into U (per-step readouts). */
  onOutput?: (t: number, output: tf.Tensor) => void;
}

export interface SnnForwardResult {
  /** U(T): the output membrane after the last step, [batch, classes]. */
  logits: tf.Tensor;
  /** U(t) for t = 0..T−1 when recordMembrane was set. */
  membrane: tf.Tensor[] | null;
  /** Spikes per activation layer and step, summed over the batch: [layers, T]. */
  spikeCounts: tf.Tensor;
  /**
   * Non-zero inputs (events) of each weight layer (graph.weightLayers order) per step, over the
   * batch: [weightLayers, T]. For binary spikes, the spikes that reach the layer: after a max
   * pool (an OR of its window) more of them than the activation emitted per element. Null
   * unless `countInputs` was set.
   */
  inputCounts: tf.Tensor | null;
}

export class SnnModel {
  readonly neurons: NeuronLayer[];
  readonly timesteps: number;
  readonly encoder: Encoder;

  constructor(
    readonly network: Network,
    options: SnnOptions,
  ) {
    if (!Number.isInteger(options.timesteps) || options.timesteps < 1) {
      throw new Error(`timesteps must be a positive integer, got ${options.timesteps}`);
    }
    this.timesteps = options.timesteps;
    this.encoder = options.encoder;
    const pick = typeof options.neuron === 'function' ? options.neuron : () => options.neuron as NeuronSpec;
    this.neurons = network.graph.activations.map((node) =>
      createNeuronLayer(pick(node), {
        name: node.path,
        channels: node.input[node.input.length - 1]!,
        timesteps: options.timesteps,
      }),
    );
  }

  /** Neurons per image of each activation layer. */
  neuronsPerLayer(): number[] {
    return this.network.graph.activations.map((n) => shapeSize(n.input));
  }

  /** Weights and neuron parameters that train. */
  trainableVariables(): tf.Variable[] {
    return [...this.network.params.trainable(), ...this.neurons.flatMap((n) => [...n.variables])];
  }

  /** After an optimizer step: clamp leaks and the like. */
  constrain(): void {
    for (const n of this.neurons) if (n.mode === 'step') n.constrain();
  }

  forward(images: tf.Tensor, options: SnnForwardOptions = {}): SnnForwardResult {
    const training = options.training ?? false;
    if (training && options.release) throw new Error('SnnModel.forward: release is for inference only (no training)');
    const T = this.timesteps;
    // The encoder's batch seed comes from the caller's Rng so that runs are reproducible.
    this.encoder.beginBatch(options.rng?.nextUint32());
    const states: Array<NeuronState | null> = this.neurons.map(() => null);
    const masks = new Map<number, tf.Tensor | null>();
    const counts: tf.Tensor[][] = this.neurons.map(() => []);
    const weightIndex = new Map(this.network.graph.weightLayers.map((n, i) => [n.path, i]));
    const inCounts: tf.Tensor[][] = options.countInputs ? this.network.graph.weightLayers.map(() => []) : [];
    const membrane: tf.Tensor[] = [];
    const binarySpikes = this.neurons.map((n) => {
      const d = getNeuronDefinition(n.spec.kind);
      return d.spiking && !d.gradedSpikes;
    });
    let u: tf.Tensor | null = null;
    let t = 0;

    const ctx: ExecContext = {
      params: this.network.params,
      bnTraining: false,
      activation: (node, h) => {
        const layer = this.neurons[node.index]!;
        options.onNeuronInput?.(node.index, t, h);
        let spikes: tf.Tensor;
        if (layer.mode === 'block') {
          const out = layer.forward(h);
          spikes = out.output;
          counts[node.index]!.push(tf.sum(out.spikeCount));
        } else {
          const step = layer.step(h, states[node.index] ?? layer.initState(h.shape), t);
          states[node.index] = step.state;
          options.onState?.(node.index, t, step.state);
          spikes = step.spikes;
          counts[node.index]!.push(tf.sum(spikes));
        }
        options.onSpikes?.(node.index, t, spikes);
        return spikes;
      },
      // [issue 16] a layer is spike-fed when its source emits binary spikes at this step.
      spikeInput: (node) => (node.source.kind === 'activation' ? binarySpikes[node.source.index]! : node.source.kind === 'input' && !this.encoder.isAnalog(t)),
      weightInput: (node, x) => {
        // Events, not values: a graded input (FS spikes, negative too) counts once per non-zero element.
        if (options.countInputs) inCounts[weightIndex.get(node.path)!]![t] = tf.sum(tf.cast(tf.notEqual(x, 0), 'float32'));
      },
      dropoutMask: (node, shape) => {
        if (!training || node.rate === 0) return null;
        if (!masks.has(node.index)) {
          if (options.rng === undefined) throw new Error('SnnModel.forward: training with dropout needs an rng');
          masks.set(node.index, dropoutMask(shape, node.rate, options.rng));
        }
        return masks.get(node.index)!;
      },
    };

    const runStep = (): tf.Tensor => {
      const x = this.encoder.encode(images, t);
      const out = execute(this.network.graph, x, ctx);
      options.onOutput?.(t, out);
      return u === null ? out : tf.add(u, out);
    };
    for (t = 0; t < T; t++) {
      if (!options.release) {
        u = runStep();
        if (options.recordMembrane) membrane.push(u);
        continue;
      }
      // Keep only what the next step needs: U, the neuron states and this step's counts.
      const previous = { u, states: [...states] };
      const kept = tf.tidy(() => {
        const next = runStep();
        return {
          u: next, states: states.map((st) => st ?? {}),
          counts: counts.map((c) => c[t] ?? tf.scalar(0)), inCounts: inCounts.map((c) => c[t] ?? tf.scalar(0)),
        };
      });
      kept.counts.forEach((c, i) => (counts[i]![t] = c));
      kept.inCounts.forEach((c, i) => (inCounts[i]![t] = c));
      kept.states.forEach((st, i) => (states[i] = Object.keys(st).length > 0 ? st : null));
      u = kept.u;
      if (options.recordMembrane) membrane.push(u);
      else if (previous.u !== null) previous.u.dispose();
      // A state tensor may pass through a step unchanged: free only what the new state dropped.
      const live = new Set(states.flatMap((st) => (st ? Object.values(st) : [])));
      for (const st of previous.states) if (st) for (const x of Object.values(st)) if (!live.has(x)) x.dispose();
    }
    const spikeCounts = tf.tidy(() =>
      counts.length === 0 ? tf.zeros([0, T]) : tf.stack(counts.map((c) => (c.length > 0 ? tf.stack(c) : tf.zeros([T])))),
    );
    const inputCounts = !options.countInputs
      ? null
      : tf.tidy(() =>
          inCounts.length === 0 ? tf.zeros([0, T]) : tf.stack(inCounts.map((c) => tf.stack(Array.from({ length: T }, (_, i) => c[i] ?? tf.scalar(0))))),
        );
    if (options.release) {
      tf.dispose(counts.flat());
      tf.dispose(inCounts.flat());
      // The last step's neuron states are not returned: free them here.
      for (const st of states) if (st) tf.dispose(Object.values(st));
    }
    return { logits: u!, membrane: options.recordMembrane ? membrane : null, spikeCounts, inputCounts };
  }

  dispose(): void {
    for (const n of this.neurons) n.dispose();
  }
}
