import type { NeuronLayer } from '@spikelite/neurons';
import type { NodeOf } from '../../graph.js';
import type { CompileContext, Step, Value } from '../types.js';

/** A compiled neuron layer: a step that also reports the spikes it emitted this step. */
export interface NeuronStep extends Step {
  /** Spikes of this image at the last step run (summed into spikeCounts). */
  spikes: number;
}

/** Builds the step of one neuron kind, its parameters read once from the layer. */
export interface NeuronHandler {
  readonly kinds: readonly string[];
  compile(layer: NeuronLayer, node: NodeOf<'activation'>, input: Value, ctx: CompileContext): NeuronStep;
}
