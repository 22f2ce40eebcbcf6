/**
 * A NirImport as something that runs: its Network (the ModelSpec with the imported weights)
 * and an SnnModel whose activation layers get the imported neurons.
 */
import { createEncoder } from '@spikelite/encoding';
import { Network, SnnModel } from '@spikelite/models';
import { NeuronSpec, parseWith, type EncodingSpecInput } from '@spikelite/schemas';
import type { NirImport } from './to-spikelite.js';

export interface CreateNirSnnOptions {
  /** Steps per run. */
  readonly timesteps: number;
  /**
   * How the images become each step's input. Default: the 'frames' encoding with the input's
   * channels (the last axis as spikelite holds it: C of a (C, H, W) input): the images are
   * clips [N, …, channels·T], frame-major, and step t reads frame t, as NIR feeds the Input one
   * value per step (event-camera clips from @spikelite/data come laid out this way).
   */
  readonly encoding?: EncodingSpecInput;
}

/** The imported ModelSpec as a Network holding the imported weights (every parameter is set). */
export function nirNetwork(imported: NirImport): Network {
  const net = Network.create(imported.spec);
  for (const info of net.graph.params) {
    const values = imported.weights.get(info.name);
    if (values === undefined) {
      net.dispose();
      throw new Error(`nirNetwork: no imported values for parameter '${info.name}'`);
    }
    net.params.assign(info.name, values);
  }
  return net;
}

/**
 * An SnnModel running the imported graph. It owns a fresh Network: dispose both
 * (`snn.dispose(); snn.network.dispose()`).
 */
export function createNirSnn(imported: NirImport, options: CreateNirSnnOptions): SnnModel {
  const input = imported.input.shape;
  const channels = input.length === 3 ? input[0]! : input[input.length - 1]!;
  const encoder = createEncoder(options.encoding ?? { kind: 'frames', channels }, { timesteps: options.timesteps });
  const neurons = new Map([...imported.neurons].map(([layer, spec]) => [layer, parseWith(NeuronSpec, spec, `NIR node '${layer}'`)]));
  const network = nirNetwork(imported);
  try {
    return new SnnModel(network, {
      timesteps: options.timesteps,
      encoder,
      neuron: (node) => {
        const spec = neurons.get(node.layer.name ?? '');
        if (spec === undefined) throw new Error(`createNirSnn: no neuron for activation layer '${node.layer.name ?? node.path}'`);
        return spec;
      },
    });
  } catch (e) {
    network.dispose();
    throw e;
  }
}
