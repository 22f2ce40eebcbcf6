/**
 * Single-spike LIF (hybrid encoding, SPEC §1a): every neuron fires at most once per image.
 *
 *   u₁   = λ·u(t−1) + I(t)                ('freeze': u₁ = u(t−1) once the neuron has fired)
 *   x    = u₁/θ − 1
 *   s(t) = H(x)·(1 − fired)
 *   fired ← fired ∨ s;   spikeTime ← t where s (−1 until the neuron fires)
 *   u(t) = u₁·(1 − s̄)   ('reset', default: to 0 at the spike, detached; afterwards u keeps
 *                         integrating but the mask keeps the neuron silent)
 *   u(t) = u₁           ('freeze': the potential stays at its value at the spike)
 * Both give identical spikes (SPEC §1a); they differ in the gradients that reach inputs
 * after the spike.
 *
 * Surrogate. With the default 'stdb' spec the derivative is the SPEC §1d variant
 * ∂s/∂x = α·exp(−β·|t − t_s|), t_s the neuron's own spike time, for every neuron that has
 * fired at or before t (a neuron firing now has t_s = t, so α). A neuron that has not fired
 * has no t_s (its future spike is unknown when step t runs), so it falls back to the linear
 * surrogate γ·max(0, 1 − |x|) with γ = α: the two agree (= α) at the threshold, so the
 * gradient does not jump as a neuron crosses it. Unlike the masked output, fired neurons
 * keep receiving this gradient: it says how the spike time should move.
 * Any other surrogate kind is used plainly on x (or u − θ), masked by (1 − fired): neurons
 * that fired earlier then get no gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SingleSpikeLifNeuron } from '@spikelite/schemas';
import { singleSpikeLifForwardFused } from './fused/single-spike-kernel.js';
import { assignParam, createParam, readParam } from './params.js';
import { NO_SPIKE, noGrad } from './spike-time.js';
import { createSurrogate, heaviside, type CustomGradFn, type Surrogate } from './surrogates.js';
import type { NeuronContext, NeuronDefinition, NeuronState, StepNeuronLayer, StepResult } from './types.js';

export interface SingleSpikeLifParams {
  readonly leak: tf.Tensor;
  readonly threshold: tf.Tensor;
  readonly afterSpike: 'freeze' | 'reset';
  readonly surrogate: Surrogate;
}

/** u; fired (0/1); spikeTime (step of the spike, −1 before it). */
export interface SingleSpikeLifState extends NeuronState {
  readonly u: tf.Tensor;
  readonly fired: tf.Tensor;
  readonly spikeTime: tf.Tensor;
}

export function singleSpikeLifInitState(shape: readonly number[]): SingleSpikeLifState {
  return { u: tf.zeros([...shape]), fired: tf.zeros([...shape]), spikeTime: tf.fill([...shape], NO_SPIKE) };
}

/** The SPEC §1d derivative on tensors (see the file comment); `sinceSpike` = |t − t_s| where fired. */
export function singleSpikeStdbDerivative(
  x: tf.Tensor,
  firedNow: tf.Tensor,
  sinceSpike: tf.Tensor,
  alpha: number,
  beta: number,
): tf.Tensor {
  const timed = tf.mul(alpha, tf.exp(tf.mul(-beta, sinceSpike)));
  const fallback = tf.mul(alpha, tf.relu(tf.sub(1, tf.abs(x)))); // linear, γ = α
  return tf.where(tf.greater(firedNow, 0), timed, fallback);
}

/** Build the masked spike function for the stdb variant: forward H(x)·(1 − firedBefore). */
function makeStdbVariantSpike(alpha: number, beta: number) {
  return tf.customGrad(((x: tf.Tensor, firedBefore: tf.Tensor, spikeTime: tf.Tensor, now: tf.Tensor, save: tf.GradSaveFunc) => {
    const h = heaviside(x);
    const value = tf.mul(h, tf.sub(1, firedBefore));
    // Fired at or before now: earlier, or this step (then t_s = t).
    const firedNow = tf.add(firedBefore, value); // = max(firedBefore, h) on 0/1 values (Maximum is slow on wasm)
    // |t − t_s| where fired before, 0 otherwise (t_s = now): the same values as a
    // where(fired, spikeTime, now), without the broadcast of a scalar (a Tile, 15× slower on wasm).
    const since = tf.mul(firedBefore, tf.abs(tf.sub(now, spikeTime)));
    save([x, firedNow, since]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, f, d] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const g = tf.mul(dy, singleSpikeStdbDerivative(xs, f, d, alpha, beta));
        // `now` is not saved (it may be disposed by the time the backward runs): its zero is built fresh.
        return [g, tf.zerosLike(xs), tf.zerosLike(xs), tf.zeros([])];
      },
    };
  }) as unknown as CustomGradFn);
}

const stdbSpikes = new Map<string, ReturnType<typeof makeStdbVariantSpike>>();
function stdbVariantSpike(alpha: number, beta: number) {
  const key = `${alpha}/${beta}`;
  let f = stdbSpikes.get(key);
  if (f === undefined) {
    f = makeStdbVariantSpike(alpha, beta);
    stdbSpikes.set(key, f);
  }
  return f;
}

export function singleSpikeLifStep(
  input: tf.Tensor,
  state: SingleSpikeLifState,
  params: SingleSpikeLifParams,
  t: number,
): StepResult {
  const { leak, threshold, surrogate } = params;
  const { u: up, fired, spikeTime } = state;
  // [issue 16] inference (no gradient recorded): one fused pass, bit for bit these ops.
  const fused = singleSpikeLifForwardFused({
    input, u: up, fired, spikeTime, leak, threshold, t, freeze: params.afterSpike === 'freeze', normalized: surrogate.domain === 'normalized',
  });
  if (fused !== null) return { spikes: fused.spikes, state: { u: fused.u, fired: fused.fired, spikeTime: fused.spikeTime } };
  let u1 = tf.add(tf.mul(leak, up), input);
  // `fired` and `spikeTime` are bookkeeping: built off the tape (noGrad), consumed through
  // ops that have gradients (Cast, Select).
  if (params.afterSpike === 'freeze') u1 = tf.where(tf.cast(fired, 'bool'), up, u1);
  const x = surrogate.input(u1, threshold);
  const notFired = tf.sub(1, fired);
  let spikes: tf.Tensor;
  if (surrogate.spec.kind === 'stdb') {
    const { alpha, beta } = surrogate.spec;
    spikes = stdbVariantSpike(alpha, beta)(x, fired, spikeTime, tf.scalar(t));
  } else {
    spikes = tf.mul(surrogate.spike(x), notFired);
  }
  const sBar = tf.mul(heaviside(x), notFired); // the spike, detached
  const u = params.afterSpike === 'reset' ? tf.mul(u1, tf.sub(1, sBar)) : u1;
  const state2: SingleSpikeLifState = {
    u,
    // fired ∨ s: s̄ is 0 wherever the neuron had fired, so the sum is the union (and faster than Maximum on wasm).
    fired: noGrad((f, s) => tf.add(f!, s!), fired, sBar),
    // t where s̄ = 1, unchanged elsewhere: st + s̄·(t − st) is exact on these small integers and
    // avoids a comparison and a select (both slow on wasm).
    spikeTime: noGrad((s, st) => tf.add(st!, tf.mul(s!, tf.sub(t, st!))), sBar, spikeTime),
  };
  return { spikes, state: state2 };
}

export class SingleSpikeLifLayer implements StepNeuronLayer {
  readonly mode = 'step' as const;
  readonly spec: SingleSpikeLifNeuron;
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  readonly surrogate: Surrogate;
  readonly threshold: tf.Variable;
  readonly leak: tf.Variable;
  private readonly params: SingleSpikeLifParams;

  constructor(spec: SingleSpikeLifNeuron, ctx: NeuronContext) {
    this.spec = spec;
    this.name = ctx.name;
    this.surrogate = createSurrogate(spec.surrogate);
    this.threshold = createParam(`${ctx.name}/threshold`, spec.threshold, 'layer', 1, spec.trainThreshold);
    this.leak = createParam(`${ctx.name}/leak`, spec.leak, 'layer', 1, spec.trainLeak);
    this.variables = [this.leak, this.threshold].filter((v) => v.trainable);
    this.params = { leak: this.leak, threshold: this.threshold, afterSpike: spec.afterSpike, surrogate: this.surrogate };
  }

  get stepParams(): SingleSpikeLifParams {
    return this.params;
  }

  initState(shape: readonly number[]): NeuronState {
    return singleSpikeLifInitState(shape);
  }

  step(input: tf.Tensor, state: NeuronState, t: number): StepResult {
    return singleSpikeLifStep(input, state as SingleSpikeLifState, this.params, t);
  }

  /** λ stays in [0, 1] (the schema's range). */
  constrain(): void {
    tf.tidy(() => this.leak.assign(tf.clipByValue(this.leak, 0, 1)));
  }

  setParameter(name: string, value: number | readonly number[]): void {
    assignParam(this.param(name), value, `${this.name}: ${name}`);
  }

  getParameter(name: string): number[] {
    return readParam(this.param(name));
  }

  private param(name: string): tf.Variable {
    if (name === 'threshold') return this.threshold;
    if (name === 'leak') return this.leak;
    throw new Error(`${this.name}: unknown parameter '${name}' (expected 'threshold' or 'leak')`);
  }

  dispose(): void {
    this.threshold.dispose();
    this.leak.dispose();
  }
}

export const singleSpikeLifNeuron: NeuronDefinition<'singleSpikeLif'> = {
  kind: 'singleSpikeLif',
  description: 'single-spike LIF (hybrid encoding): fires at most once per image, then resets to 0 or freezes',
  create: (spec, ctx) => new SingleSpikeLifLayer(spec, ctx),
  // λ·u (1 mul), + I (1 add), u vs θ (1 compare); the reset to 0 is a store, not an add.
  updateOps: { mul: 1, add: 1, compare: 1 },
  maxSpikesPerImage: 1,
  gradedSpikes: false,
  spiking: true,
};
