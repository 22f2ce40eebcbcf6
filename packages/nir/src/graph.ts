/**
 * The typed NIR graph: what readNir returns and writeNir takes. Field names are NIR's own
 * (snake_case), arrays keep NIR's axis order (Conv2d weight (C_out, C_in, kH, kW), neuron
 * parameters in the neuron shape, e.g. (C, H, W) after a Conv2d).
 */
import type {
  NirAffine,
  NirAvgPool2d,
  NirConv1d,
  NirConv2d,
  NirCubaLI,
  NirCubaLIF,
  NirDelay,
  NirFlatten,
  NirI,
  NirIF,
  NirInput,
  NirLI,
  NirLIF,
  NirLinear,
  NirMetadata,
  NirOutput,
  NirScale,
  NirSumPool2d,
  NirThreshold,
} from './schema.js';

export interface NirGraph {
  readonly type: 'NIRGraph';
  /** Node name → node; a node may itself be a NirGraph (a subgraph). */
  readonly nodes: Readonly<Record<string, NirNode>>;
  /**
   * (source, target) pairs of node names. An endpoint inside a subgraph is written
   * `<subgraph>.<node>` (the reference's notation for a subgraph's Input/Output nodes).
   */
  readonly edges: readonly (readonly [string, string])[];
  readonly metadata?: NirMetadata;
}

export type NirNode =
  | NirGraph
  | NirInput
  | NirOutput
  | NirAffine
  | NirLinear
  | NirScale
  | NirThreshold
  | NirDelay
  | NirI
  | NirIF
  | NirLI
  | NirLIF
  | NirCubaLI
  | NirCubaLIF
  | NirConv1d
  | NirConv2d
  | NirSumPool2d
  | NirAvgPool2d
  | NirFlatten;

export type NirNodeType = NirNode['type'];

/** A file: its `version` string and the top-level graph (the `node` group). */
export interface NirDocument {
  readonly version: string;
  readonly graph: NirGraph;
}

/** Every node of `graph` with its path ('sub/lif1'), depth first, subgraphs included. */
export function* walkNodes(graph: NirGraph, prefix = ''): Generator<{ path: string; node: NirNode }> {
  for (const [name, node] of Object.entries(graph.nodes)) {
    const path = prefix === '' ? name : `${prefix}/${name}`;
    yield { path, node };
    if (node.type === 'NIRGraph') yield* walkNodes(node, path);
  }
}
