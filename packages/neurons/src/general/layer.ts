/**
 * A layer of general-SNN neurons (SPEC §2a): T = 1 expected; T > 1 carries u with decay and hard
 * reset. State: { u } = the membrane after the last step's reset.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GeneralNeuron } from '@spikelite/schemas';
import type { NeuronState, StepNeuronLayer, StepResult } from '../types.js';
import { checkSurrogate } from '../fs/surrogate.js';
import { assignParam, createParam, readParam } from '../params.js';
import { generalStep } from './core.js';
import type { GeneralParams } from './core.js';
import { generalWindowGrid } from './windows.js';

export class GeneralLayer implements StepNeuronLayer {
  readonly mode = 'step' as const;
  /**
   * Nothing trains (SPEC §2a fixes decay and V_th), but V_th may be balanced per layer (the
   * general method's `--init ann`): it is a non-trainable variable so checkpoints carry it.
   */
  readonly variables: readonly tf.Variable[];
  private readonly threshold: tf.Variable;
  private params: GeneralParams;

  constructor(
    readonly spec: GeneralNeuron,
    readonly name: string,
  ) {
    checkSurrogate(spec.surrogate, `${name}: general.surrogate`);
    generalWindowGrid(spec.windows);
    this.params = {
      decay: spec.decay,
      threshold: spec.threshold,
      projection: spec.projection,
      windows: spec.windows,
      surrogate: spec.surrogate,
    };
    this.threshold = createParam(`${name}.threshold`, spec.threshold, 'layer', 1, false);
    this.variables = [this.threshold];
  }

  initState(shape: readonly number[]): NeuronState {
    return { u: tf.zeros([...shape]) };
  }

  step(input: tf.Tensor, state: NeuronState, _t: number): StepResult {
    const u = state['u'];
    if (u === undefined) throw new Error(`${this.name}: state needs 'u' (use initState)`);
    if (u.shape.join() !== input.shape.join()) {
      throw new Error(`${this.name}: state shape [${u.shape}] does not match input shape [${input.shape}]`);
    }
    const out = generalStep(input, { u }, { ...this.params, threshold: this.threshold });
    return { spikes: out.spikes, state: { u: out.state.u } };
  }

  constrain(): void {
    // nothing trains
  }

  /** 'threshold' (V_th > 0) or 'decay' (alias 'leak', in [0, 1]); one value for the layer. */
  setParameter(name: string, value: number | readonly number[]): void {
    const v = typeof value === 'number' ? value : value.length === 1 ? value[0]! : NaN;
    if (!Number.isFinite(v)) throw new Error(`${this.name}: ${name} takes one finite number, got ${JSON.stringify(value)}`);
    if (name === 'threshold') {
      if (!(v > 0)) throw new Error(`${this.name}: threshold must be > 0, got ${v}`);
      assignParam(this.threshold, v, `${this.name}: threshold`);
    } else if (name === 'decay' || name === 'leak') {
      if (!(v >= 0 && v <= 1)) throw new Error(`${this.name}: decay must be in [0, 1], got ${v}`);
      this.params = { ...this.params, decay: v };
    } else {
      throw new Error(`${this.name}: unknown parameter '${name}' (general neurons have 'threshold' and 'decay')`);
    }
  }

  getParameter(name: string): number[] {
    if (name === 'threshold') return readParam(this.threshold);
    if (name === 'decay' || name === 'leak') return [this.params.decay];
    throw new Error(`${this.name}: unknown parameter '${name}' (general neurons have 'threshold' and 'decay')`);
  }

  dispose(): void {
    this.threshold.dispose();
  }
}
