/**
 * A NIR graph with its nested subgraphs inlined: one flat list of leaf nodes named by their
 * path ('sub/lif'), and edges between those paths. A subgraph's own Input and Output nodes
 * become pass-through nodes (`Identity`), so an edge into `sub.input` (the reference's
 * notation) or into `sub` itself (its only Input) lands where the subgraph's edges go on.
 */
import { NirError } from './errors.js';
import type { NirGraph, NirNode } from './graph.js';

/** A leaf node, or the pass-through a subgraph's Input/Output became. */
export type FlatNode = Exclude<NirNode, { type: 'NIRGraph' }> | { readonly type: 'Identity'; readonly of: 'Input' | 'Output' };

export interface FlatGraph {
  /** Path → node, in the order the file lists them (subgraphs depth first). */
  readonly nodes: ReadonlyMap<string, FlatNode>;
  /** (source, target) paths. */
  readonly edges: readonly (readonly [string, string])[];
}

const join = (prefix: string, name: string): string => (prefix === '' ? name : `${prefix}/${name}`);

export function flattenGraph(graph: NirGraph, source: string): FlatGraph {
  const nodes = new Map<string, FlatNode>();
  const edges: [string, string][] = [];
  visit(graph, '', nodes, edges, source);
  return { nodes, edges };
}

function visit(graph: NirGraph, prefix: string, nodes: Map<string, FlatNode>, edges: [string, string][], source: string): void {
  for (const [name, node] of Object.entries(graph.nodes)) {
    const path = join(prefix, name);
    if (node.type === 'NIRGraph') visit(node, path, nodes, edges, source);
    else if (prefix !== '' && (node.type === 'Input' || node.type === 'Output')) nodes.set(path, { type: 'Identity', of: node.type });
    else nodes.set(path, node);
  }
  for (const [from, to] of graph.edges) {
    edges.push([endpoint(graph, prefix, from, 'Output', source), endpoint(graph, prefix, to, 'Input', source)]);
  }
}

/**
 * The flat path of an edge endpoint written in `graph` (at `prefix`): a node name, `sub.inner`
 * (dots descend into subgraphs), or a subgraph's name, which stands for its only Input (as a
 * target) or its only Output (as a source).
 */
function endpoint(graph: NirGraph, prefix: string, name: string, port: 'Input' | 'Output', source: string): string {
  let g = graph;
  let path = prefix;
  const parts = name.split('.');
  for (let i = 0; i < parts.length; i++) {
    // A node name may itself contain dots: prefer the longest name that exists.
    let j = parts.length;
    while (j > i && !Object.prototype.hasOwnProperty.call(g.nodes, parts.slice(i, j).join('.'))) j--;
    if (j === i) throw new NirError(source, `edge endpoint '${name}' names no node of this graph`, { node: prefix, type: 'NIRGraph', field: 'edges' });
    const key = parts.slice(i, j).join('.');
    const node = g.nodes[key]!;
    path = join(path, key);
    i = j - 1;
    if (node.type !== 'NIRGraph') {
      if (j < parts.length) throw new NirError(source, `edge endpoint '${name}': '${key}' is a ${node.type}, not a subgraph`, { node: prefix, type: 'NIRGraph', field: 'edges' });
      return path;
    }
    g = node;
  }
  // The endpoint is a subgraph: its only Input (edges into it) or Output (edges out of it).
  const ports = Object.entries(g.nodes).filter(([, n]) => n.type === port);
  if (ports.length !== 1) {
    throw new NirError(source, `an edge names the subgraph itself, which needs exactly one ${port} node (it has ${ports.length})`, { node: path, type: 'NIRGraph' });
  }
  return join(path, ports[0]![0]);
}
