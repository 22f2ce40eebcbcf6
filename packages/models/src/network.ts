/**
 * A network: one ModelSpec and its weights. `forwardAnn` runs it as an ANN; an
 * {@link SnnModel} (snn.ts) runs the same weights as an SNN over T timesteps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '@spikelite/engine';
import type { ModelSpec } from '@spikelite/schemas';
import { compileGraph, type CompiledGraph, type Node } from './graph.js';
import { applyActivation, execute, type ExecContext } from './execute.js';
import { initialValue, ParamStore, type InitScheme } from './params.js';

export interface NetworkOptions {
  /** Seed of the initial weights. */
  seed?: number;
  init?: InitScheme;
}

/** A dropout mask scaled by 1/(1 − rate), drawn from `rng` so runs are reproducible. */
export function dropoutMask(shape: readonly number[], rate: number, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const keep = 1 - rate;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.next() < keep ? 1 / keep : 0;
  return tf.tensor(values, [...shape]);
}

export interface AnnForwardOptions {
  /** Dropout on and BatchNorm on batch statistics. */
  training?: boolean;
  /** Randomness for dropout masks (required when training with dropout). */
  rng?: Rng;
  /**
   * Free every intermediate value once its readers have run (inference only; the default is
   * false, as a gradient tape needs them). Callbacks still see each value while it lives.
   */
  release?: boolean;
  /** Called with each activation's output (calibration reads activations this way). */
  onActivation?: (node: Extract<Node, { op: 'activation' }>, output: tf.Tensor, input: tf.Tensor) => void;
}

export class Network {
  readonly graph: CompiledGraph;

  private constructor(
    readonly spec: ModelSpec,
    readonly params: ParamStore,
  ) {
    this.graph = compileGraph(spec);
  }

  /** A network with freshly initialised weights. */
  static create(spec: ModelSpec, options: NetworkOptions = {}): Network {
    const params = new ParamStore();
    const graph = compileGraph(spec);
    const rng = createRng(options.seed ?? 0);
    for (const info of graph.params) {
      const value = initialValue(info, options.init ?? 'diet', rng);
      params.add(info, value);
      value.dispose();
    }
    return new Network(spec, params);
  }

  /** Logits of a batch of NHWC images. */
  forwardAnn(x: tf.Tensor, options: AnnForwardOptions = {}): tf.Tensor {
    const training = options.training ?? false;
    const ctx: ExecContext = {
      params: this.params,
      bnTraining: training,
      activation: (node, h) => {
        const out = applyActivation(node, h, this.params);
        options.onActivation?.(node, out, h);
        return out;
      },
      dropoutMask: (node, shape) => {
        if (!training || node.rate === 0) return null;
        if (options.rng === undefined) throw new Error('forwardAnn: training with dropout needs an rng');
        return dropoutMask(shape, node.rate, options.rng);
      },
    };
    return execute(this.graph, x, { ...ctx, release: options.release ?? false });
  }

  dispose(): void {
    this.params.dispose();
  }
}
