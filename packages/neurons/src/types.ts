/**
 * The contract between neurons and the models that run them. A neuron kind is one
 * {@link NeuronDefinition} in the registry; a layer of neurons is a {@link NeuronLayer}
 * that holds its parameters (tf.Variables) and calls a pure step function.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { NeuronSpec, NeuronUpdateOps } from '@spikelite/schemas';

/**
 * A neuron population's state between timesteps: named tensors, readonly. Every kind has
 * `u` (membrane potential); others add what they need (`fired`, `lastSpike`, ...).
 * Shapes equal the layer input's shape, `[batch, ...features]`.
 */
export type NeuronState = Readonly<Record<string, tf.Tensor>>;

export interface StepResult {
  /** Spikes (0/1 for most kinds; graded for FS, where a spike carries d(t)). */
  readonly spikes: tf.Tensor;
  readonly state: NeuronState;
}

export interface NeuronContext {
  /** Layer name, used to name variables (`<name>/threshold`, `<name>/leak`). */
  readonly name: string;
  /** Size of the last (channel) axis, for per-channel parameters. */
  readonly channels: number;
  /** Timesteps per image of the run (some surrogates and neurons need T). */
  readonly timesteps: number;
  /**
   * LIF/IF only: no gradient through the spike in the reset term (DIET code; default true).
   * Added by the neurons package: code-level options that are not part of the JSON spec.
   */
  readonly detachReset?: boolean;
  /** LIF/IF only: 'auto' (default) uses the fused kernel on cpu/wasm; 'composed' forces tfjs ops. */
  readonly implementation?: NeuronImplementation;
}

/** How a LIF/IF step runs: one fused kernel (cpu, wasm), composed tfjs ops, or chosen by backend. */
export type NeuronImplementation = 'auto' | 'fused' | 'composed';

/** A stateful-over-time layer of neurons: the model calls `step` once per timestep. */
export interface StepNeuronLayer {
  readonly mode: 'step';
  readonly spec: NeuronSpec;
  readonly name: string;
  /** Trainable parameters (leak, threshold, ...); empty when nothing trains. */
  readonly variables: readonly tf.Variable[];
  /** The zero state for inputs of `shape` ([batch, ...features]). */
  initState(shape: readonly number[]): NeuronState;
  /** One timestep; `t` is 0-based. Must not dispose `input` or `state`. */
  step(input: tf.Tensor, state: NeuronState, t: number): StepResult;
  /** Called after every optimizer update (e.g. clamps the leak to leakMax). */
  constrain(): void;
  /** Set parameters from numbers (conversion sets thresholds). Keys: 'threshold', 'leak'. */
  setParameter(name: string, value: number | readonly number[]): void;
  getParameter(name: string): number[];
  dispose(): void;
}

/**
 * A layer whose neurons run a whole block of K internal steps on one analog input (FS
 * neurons, SPEC §3a): the next layer receives the block's weighted spike sum.
 */
export interface BlockNeuronLayer {
  readonly mode: 'block';
  readonly spec: NeuronSpec;
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  /** Internal steps per block (K). */
  readonly steps: number;
  /** output = Σ_t d(t)·z(t); spikeCount = Σ_t z(t) per element (for energy and metrics). */
  forward(input: tf.Tensor): { output: tf.Tensor; spikeCount: tf.Tensor };
  dispose(): void;
}

export type NeuronLayer = StepNeuronLayer | BlockNeuronLayer;

/** Operations one neuron performs per update, for energy accounting (`@spikelite/energy`); one type, in @spikelite/schemas. */
export type { NeuronUpdateOps };

/** Everything training, conversion and energy accounting need to know of a neuron kind. */
export interface NeuronDefinition<K extends NeuronSpec['kind'] = NeuronSpec['kind']> {
  readonly kind: K;
  readonly description: string;
  create(spec: Extract<NeuronSpec, { kind: K }>, ctx: NeuronContext): NeuronLayer;
  readonly updateOps: NeuronUpdateOps;
  /** Upper bound on spikes per neuron per image, when the kind guarantees one (single-spike: 1). */
  readonly maxSpikesPerImage: number | null;
  /** True when spikes carry a value other than 1 (FS: d(t)); the next layer then needs MACs or K weight copies. */
  readonly gradedSpikes: boolean;
  /** False for the output integrator, which never spikes. */
  readonly spiking: boolean;
}
