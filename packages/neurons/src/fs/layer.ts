/**
 * A layer of FS neurons (SPEC §3a): one block of K internal steps on the analog input; the next
 * layer receives Σ_t d(t)·z(t). Nothing trains (the coefficients are constants fitted offline).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FsCoefficients, FsNeuron } from '@spikelite/schemas';
import type { BlockNeuronLayer } from '../types.js';
import { fsCoefficientsFor } from './coefficients.js';
import { fsForward } from './core.js';
import { checkSurrogate } from './surrogate.js';

export class FsLayer implements BlockNeuronLayer {
  readonly mode = 'block' as const;
  readonly variables: readonly tf.Variable[] = [];
  readonly steps: number;
  readonly coefficients: FsCoefficients;

  constructor(
    readonly spec: FsNeuron,
    readonly name: string,
  ) {
    checkSurrogate(spec.surrogate, `${name}: fs.surrogate`);
    this.coefficients = fsCoefficientsFor(spec);
    this.steps = this.coefficients.h.length;
  }

  /** Does not dispose `input`; differentiable in it through the spec's surrogate. */
  forward(input: tf.Tensor): { output: tf.Tensor; spikeCount: tf.Tensor } {
    const { output, spikeCount } = fsForward(input, this.coefficients, { surrogate: this.spec.surrogate });
    return { output, spikeCount };
  }

  dispose(): void {
    // no variables
  }
}
