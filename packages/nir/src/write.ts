/**
 * writeNir: a typed NirGraph → NIR file bytes, in the reference's 1.0 layout: every field a
 * dataset, strings as variable-length UTF-8, integers as int64, parameters in their own
 * dtype (float32 stays float32), `v_reset`/`w_in`/`input_shape` always written, optionally
 * gzip-compressed (the reference compresses by default; both read the same). The tree is
 * validated with the reader's schemas before anything is written, so a bad graph fails with
 * the same one-line error, and whatever is written reads back.
 */
import type { H5Group, H5Value } from './hdf5.js';
import { writeHdf5 } from './hdf5.js';
import { NirError } from './errors.js';
import type { NirDocument, NirGraph, NirNode } from './graph.js';
import { getPrimitive } from './primitives.js';
import { parseDocument } from './read.js';
import type { NirMetadata } from './schema.js';
import { isTensor, type NirTensor } from './tensor.js';

/** The version string written by default: the layout is NIR 1.0's. */
export const NIR_WRITE_VERSION = '1.0.0';

export interface WriteNirOptions {
  /** The `version` dataset; default the document's version, else NIR_WRITE_VERSION. */
  readonly version?: string;
  /** Name used in error messages; default 'writeNir'. */
  readonly source?: string;
  /** 'gzip' deflates the numeric arrays, as the reference's writer does by default; default 'none'. */
  readonly compression?: 'none' | 'gzip';
}

const text = (s: string): H5Value => ({ kind: 'strings', shape: [], values: [s] });

export async function writeNir(graph: NirGraph | NirDocument, options: WriteNirOptions = {}): Promise<Uint8Array> {
  const source = options.source ?? 'writeNir';
  const doc = 'graph' in graph ? graph : undefined;
  const root: H5Group = {
    kind: 'group',
    entries: {
      version: text(options.version ?? doc?.version ?? NIR_WRITE_VERSION),
      node: nodeGroup(doc?.graph ?? (graph as NirGraph), '', source),
    },
  };
  parseDocument(root, source);
  return writeHdf5(root, { compression: options.compression ?? 'none' });
}

/** The HDF5 tree of a NIR document, as writeNir lays it out (exported for tests and tools). */
export function nirTree(doc: NirDocument): H5Group {
  return { kind: 'group', entries: { version: text(doc.version), node: nodeGroup(doc.graph, '', 'nirTree') } };
}

function nodeGroup(node: NirNode, path: string, source: string): H5Group {
  const type = (node as { type?: unknown }).type;
  if (typeof type !== 'string') throw new NirError(source, 'a node needs a string `type`', { node: path, field: 'type' });
  const entries: Record<string, H5Value> = { type: text(type) };
  if (node.type === 'NIRGraph') {
    const nodes: Record<string, H5Value> = {};
    for (const [name, child] of Object.entries(node.nodes)) nodes[name] = nodeGroup(child, path === '' ? name : `${path}/${name}`, source);
    entries['nodes'] = { kind: 'group', entries: nodes };
    entries['edges'] = { kind: 'strings', shape: [node.edges.length, 2], values: node.edges.flatMap(([a, b]) => [a, b]) };
  } else {
    const primitive = getPrimitive(type);
    if (primitive === undefined) throw new NirError(source, `unknown NIR type '${type}'`, { node: path, field: 'type' });
    try {
      Object.assign(entries, primitive.fields(node as never));
    } catch (e) {
      throw new NirError(source, `cannot lay out the node: ${e instanceof Error ? e.message : String(e)}`, { node: path, type });
    }
  }
  if (node.metadata !== undefined && Object.keys(node.metadata).length > 0) entries['metadata'] = metadataGroup(node.metadata);
  return { kind: 'group', entries };
}

function metadataGroup(m: NirMetadata): H5Group {
  const entries: Record<string, H5Value> = {};
  for (const [k, v] of Object.entries(m)) {
    entries[k] = typeof v === 'string' ? text(v) : isTensor(v) ? (v as NirTensor) : metadataGroup(v as NirMetadata);
  }
  return { kind: 'group', entries };
}
