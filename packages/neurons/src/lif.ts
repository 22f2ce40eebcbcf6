/**
 * Leaky integrate-and-fire, DIET-SNN form (SPEC §4a), with trainable leak λ and threshold θ.
 *
 * Order 'current' (default, DIET code since 2021), for t = 0..T−1, u(−1) = 0:
 *   u₁ = λ·u(t−1) + I(t)
 *   z  = u₁/θ − 1            (the surrogate's argument; u₁ − θ for the 'difference' surrogates)
 *   s  = H(z)                (strict >, surrogate gradient backward)
 *   u(t) = u₁ − θ·s̄          soft reset (default), or u₁·(1 − s̄) hard reset
 * Order 'previous' (2020 code; one step of delay per layer):
 *   z = u(t−1)/θ − 1;  s = H(z);  u(t) = λ·u(t−1) + I(t) − θ·s̄   (hard: λ·u(t−1)·(1 − s̄) + I(t))
 *
 * s̄ is the spike in the reset term. With `detachReset` (default true) it carries no
 * gradient: the DIET code builds the reset from `(mem_thr > 0).float()`, a comparison
 * autograd does not differentiate, so the reset contributes only ∂/∂θ = −s (soft) and the
 * surrogate flows through the spike output alone. Letting the gradient through the reset
 * as well (`detachReset: false`) is the other common convention (snnTorch/SpikingJelly
 * without `detach_reset`); it changes gradients, never spikes.
 *
 * On the cpu and wasm backends the step runs as one fused kernel (fused/lif-kernel.ts)
 * unless `implementation: 'composed'`; the composed tfjs ops below are the reference and
 * the path on every other backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { IfNeuron, LifNeuron } from '@spikelite/schemas';
import { fusedLifAvailable, lifStepFused } from './fused/lif-kernel.js';
import { assignParam, checkChannels, createParam, readParam } from './params.js';
import { LAST_SPIKE_INIT, timeSinceLastSpike, updateLastSpike } from './spike-time.js';
import { createSurrogate, heaviside, type Surrogate } from './surrogates.js';
import type { NeuronContext, NeuronDefinition, NeuronImplementation, NeuronState, StepNeuronLayer, StepResult } from './types.js';

export interface LifParams {
  /** λ: a scalar or per-channel tensor; null means λ = 1 with no multiply (IF). */
  readonly leak: tf.Tensor | null;
  /** θ: a scalar or per-channel tensor. */
  readonly threshold: tf.Tensor;
  readonly reset: 'soft' | 'hard';
  readonly order: 'current' | 'previous';
  /** No gradient through the spike in the reset term (DIET). Default true. */
  readonly detachReset: boolean;
  readonly surrogate: Surrogate;
  /** 'auto' (default): fused on cpu/wasm when the surrogate allows, composed elsewhere. */
  readonly implementation?: NeuronImplementation;
}

/** `u`, plus `lastSpike` (step of the last spike, −1000 before any) when the surrogate is STDB. */
export interface LifState extends NeuronState {
  readonly u: tf.Tensor;
}

/** The zero state: u = 0 (and lastSpike = −1000 for STDB). */
export function lifInitState(shape: readonly number[], surrogate: Surrogate): LifState {
  const u = tf.zeros([...shape]);
  return surrogate.needsSpikeTime ? { u, lastSpike: tf.fill([...shape], LAST_SPIKE_INIT) } : { u };
}

/** Whether `lifStep` takes the fused path for these params on the current backend. */
export function lifUsesFused(params: Pick<LifParams, 'surrogate' | 'implementation'>): boolean {
  const impl = params.implementation ?? 'auto';
  if (impl === 'composed') return false;
  const ok = !params.surrogate.needsSpikeTime && fusedLifAvailable();
  if (impl === 'fused' && !ok) {
    throw new Error(
      `fused LIF is not available here (backend '${tf.getBackend()}', surrogate '${params.surrogate.kind}'); it needs cpu or wasm and a surrogate other than stdb`,
    );
  }
  return ok;
}

/** One LIF step with composed tfjs ops (the reference implementation). */
export function lifStepComposed(input: tf.Tensor, state: LifState, params: LifParams, t: number): StepResult {
  const { leak, threshold: th, surrogate } = params;
  const up = state.u;
  const lastSpike = state['lastSpike'];
  const dt = surrogate.needsSpikeTime ? timeSinceLastSpike(lastSpike!, t) : undefined;
  const leaked = leak === null ? up : tf.mul(leak, up);
  let spikes: tf.Tensor;
  let u: tf.Tensor;
  if (params.order === 'current') {
    const u1 = tf.add(leaked, input);
    const x = surrogate.input(u1, th);
    spikes = surrogate.spike(x, dt);
    const sR = params.detachReset ? heaviside(x) : spikes;
    u = params.reset === 'soft' ? tf.sub(u1, tf.mul(th, sR)) : tf.mul(u1, tf.sub(1, sR));
  } else {
    const x = surrogate.input(up, th);
    spikes = surrogate.spike(x, dt);
    const sR = params.detachReset ? heaviside(x) : spikes;
    u =
      params.reset === 'soft'
        ? tf.sub(tf.add(leaked, input), tf.mul(th, sR))
        : tf.add(tf.mul(leaked, tf.sub(1, sR)), input);
  }
  const state2: LifState = lastSpike === undefined ? { u } : { u, lastSpike: updateLastSpike(lastSpike, spikes, t) };
  return { spikes, state: state2 };
}

/** One LIF step: fused kernel on cpu/wasm (see {@link lifUsesFused}), composed ops otherwise. */
export function lifStep(input: tf.Tensor, state: LifState, params: LifParams, t: number): StepResult {
  if (!lifUsesFused(params)) return lifStepComposed(input, state, params, t);
  const r = lifStepFused(input, state.u, params.leak, params.threshold, {
    order: params.order,
    reset: params.reset,
    detachReset: params.detachReset,
    surrogate: params.surrogate.spec,
  });
  return { spikes: r.spikes, state: { u: r.u } };
}

// ---------------------------------------------------------------- layer

/**
 * A layer of LIF (or IF) neurons: holds λ and θ as tf.Variables and calls {@link lifStep}.
 * Code-level options that are not JSON config come from the context: `ctx.detachReset`
 * (default true) and `ctx.implementation` (default 'auto').
 */
export class LifLayer implements StepNeuronLayer {
  readonly mode = 'step' as const;
  readonly spec: LifNeuron | IfNeuron;
  readonly name: string;
  readonly variables: readonly tf.Variable[];
  readonly surrogate: Surrogate;
  readonly threshold: tf.Variable;
  /** null for IF (λ = 1, no multiply). */
  readonly leak: tf.Variable | null;
  private readonly params: LifParams;

  constructor(spec: LifNeuron | IfNeuron, ctx: NeuronContext) {
    this.spec = spec;
    this.name = ctx.name;
    this.surrogate = createSurrogate(spec.surrogate);
    const granularity = spec.kind === 'lif' ? spec.granularity : 'layer';
    const trainThreshold = spec.kind === 'lif' ? spec.trainThreshold : true;
    this.threshold = createParam(`${ctx.name}/threshold`, spec.threshold, granularity, ctx.channels, trainThreshold);
    this.leak =
      spec.kind === 'lif' ? createParam(`${ctx.name}/leak`, spec.leak, granularity, ctx.channels, spec.trainLeak) : null;
    this.variables = [this.leak, this.threshold].filter((v): v is tf.Variable => v !== null && v.trainable);
    this.params = {
      leak: this.leak,
      threshold: this.threshold,
      reset: spec.reset,
      order: spec.kind === 'lif' ? spec.order : 'current',
      detachReset: ctx.detachReset ?? true,
      surrogate: this.surrogate,
      implementation: ctx.implementation ?? 'auto',
    };
  }

  /** The parameters `step` passes to {@link lifStep} (live variables). */
  get stepParams(): LifParams {
    return this.params;
  }

  initState(shape: readonly number[]): NeuronState {
    checkChannels(shape, this.threshold, this.name);
    const state = lifInitState(shape, this.surrogate);
    const f = this.spec.initialPotential;
    if (f === 0) return state;
    // u(0) = f·θ (θ per layer or per channel, broadcast on the last axis); θ's gradient flows through it.
    const u = tf.tidy(() => tf.add(state.u, tf.mul(this.threshold, f)));
    state.u.dispose();
    return { ...state, u };
  }

  step(input: tf.Tensor, state: NeuronState, t: number): StepResult {
    return lifStep(input, state as LifState, this.params, t);
  }

  constrain(): void {
    const spec = this.spec;
    const leak = this.leak;
    if (leak === null || spec.kind !== 'lif') return;
    tf.tidy(() => {
      let v = tf.minimum(leak, spec.leakMax);
      if (spec.leakMin !== null) v = tf.maximum(v, spec.leakMin);
      leak.assign(v);
    });
  }

  setParameter(name: string, value: number | readonly number[]): void {
    this.paramByName(name).forEach((v) => assignParam(v, value, `${this.name}: ${name}`));
  }

  getParameter(name: string): number[] {
    const [v] = this.paramByName(name);
    return readParam(v!);
  }

  private paramByName(name: string): [tf.Variable] {
    if (name === 'threshold') return [this.threshold];
    if (name === 'leak') {
      if (this.leak === null) throw new Error(`${this.name}: an IF neuron has no leak (λ = 1)`);
      return [this.leak];
    }
    throw new Error(`${this.name}: unknown parameter '${name}' (expected 'threshold'${this.leak ? " or 'leak'" : ''})`);
  }

  dispose(): void {
    this.threshold.dispose();
    this.leak?.dispose();
  }
}

export const lifNeuron: NeuronDefinition<'lif'> = {
  kind: 'lif',
  description: 'DIET-SNN leaky integrate-and-fire: u = λ·u + I, s = H(u/θ − 1), soft reset; trainable λ and θ',
  create: (spec, ctx) => new LifLayer(spec, ctx),
  // λ·u (1 mul), + I and − θ·s (2 adds), u vs θ (1 compare).
  updateOps: { mul: 1, add: 2, compare: 1 },
  maxSpikesPerImage: null,
  gradedSpikes: false,
  spiking: true,
};
