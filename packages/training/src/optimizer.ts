/**
 * Adam and SGD with PyTorch semantics, written here rather than taken from tfjs because
 * checkpoints must hold the complete optimizer state (moments, step count) by parameter
 * name so that a resumed run continues bit for bit, and tfjs's Adam has no amsgrad.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerSpec } from '@spikelite/schemas';

export interface Optimizer {
  readonly spec: OptimizerSpec;
  /** Updates taken so far. */
  readonly step: number;
  /** Apply one update with learning rate `lr` to `vars` from `grads` (same order). */
  apply(vars: readonly tf.Variable[], names: readonly string[], grads: readonly tf.Tensor[], lr: number): void;
  /** The state by name (`<param>/m`, ...) for checkpoints; the caller reads, not owns. */
  state(): Map<string, tf.Tensor>;
  /** Restore from a checkpoint. */
  load(step: number, state: Map<string, tf.Tensor>): void;
  dispose(): void;
}

class SlotStore {
  readonly slots = new Map<string, tf.Variable>();
  get(name: string, like: tf.Tensor): tf.Variable {
    let v = this.slots.get(name);
    if (v === undefined) {
      v = tf.variable(tf.zerosLike(like), false);
      this.slots.set(name, v);
    }
    return v;
  }
  load(state: Map<string, tf.Tensor>): void {
    this.dispose();
    for (const [name, t] of state) this.slots.set(name, tf.variable(t, false));
  }
  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

/** Step count and named slot tensors: the state every optimizer here checkpoints. */
abstract class SlotOptimizer {
  step = 0;
  protected readonly slots = new SlotStore();
  state(): Map<string, tf.Tensor> {
    return new Map(this.slots.slots);
  }
  load(step: number, state: Map<string, tf.Tensor>): void {
    this.step = step;
    this.slots.load(state);
  }
  dispose(): void {
    this.slots.dispose();
  }
}

class Adam extends SlotOptimizer implements Optimizer {
  constructor(readonly spec: Extract<OptimizerSpec, { kind: 'adam' }>) {
    super();
  }

  apply(vars: readonly tf.Variable[], names: readonly string[], grads: readonly tf.Tensor[], lr: number): void {
    this.step++;
    const { beta1, beta2, epsilon, amsgrad, weightDecay } = this.spec;
    const bc1 = 1 - beta1 ** this.step;
    const bc2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      vars.forEach((w, i) => {
        const name = names[i]!;
        let g = grads[i]!;
        if (weightDecay > 0) g = tf.add(g, tf.mul(w, weightDecay));
        const m = this.slots.get(`${name}/m`, w);
        const v = this.slots.get(`${name}/v`, w);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        let vUse: tf.Tensor = v;
        if (amsgrad) {
          const vMax = this.slots.get(`${name}/vmax`, w);
          vMax.assign(tf.maximum(vMax, v));
          vUse = vMax;
        }
        // PyTorch: w -= lr/bc1 · m / (sqrt(v/bc2) + eps)
        const denom = tf.add(tf.sqrt(tf.div(vUse, bc2)), epsilon);
        w.assign(tf.sub(w, tf.mul(tf.div(m, denom), lr / bc1)));
      });
    });
  }
}

class Sgd extends SlotOptimizer implements Optimizer {
  constructor(readonly spec: Extract<OptimizerSpec, { kind: 'sgd' }>) {
    super();
  }

  apply(vars: readonly tf.Variable[], names: readonly string[], grads: readonly tf.Tensor[], lr: number): void {
    this.step++;
    const { momentum, nesterov, weightDecay } = this.spec;
    tf.tidy(() => {
      vars.forEach((w, i) => {
        let g = grads[i]!;
        if (weightDecay > 0) g = tf.add(g, tf.mul(w, weightDecay));
        if (momentum > 0) {
          const buf = this.slots.get(`${names[i]!}/momentum`, w);
          // PyTorch: the first step sets the buffer to g itself.
          buf.assign(this.step === 1 ? g : tf.add(tf.mul(buf, momentum), g));
          g = nesterov ? tf.add(g, tf.mul(buf, momentum)) : buf;
        }
        w.assign(tf.sub(w, tf.mul(g, lr)));
      });
    });
  }
}

export function createOptimizer(spec: OptimizerSpec): Optimizer {
  return spec.kind === 'adam' ? new Adam(spec) : new Sgd(spec);
}
