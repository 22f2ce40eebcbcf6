/**
 * readNir: NIR file bytes → a typed, validated NirDocument. The HDF5 tree is read whole,
 * then walked node by node; each node's group goes through its primitive's zod schema. The
 * first problem ends the read with one NirError naming the file, node and field.
 */
import { declaredFileSize, describe, hasHdf5Signature, isGroup, readHdf5, type H5Group, type H5Value } from './hdf5.js';
import { NirError } from './errors.js';
import type { NirDocument, NirGraph, NirNode } from './graph.js';
import { NIR_TYPES, getPrimitive } from './primitives.js';
import { NirGraphFieldsSchema, NirVersion, Text } from './schema.js';
import type { z } from 'zod';

export interface ReadNirOptions {
  /** Name used in error messages (a file name); default 'NIR file'. */
  readonly source?: string;
}

/** The newest major version whose layout this reader knows. */
const MAX_MAJOR = 1;

export async function readNir(bytes: Uint8Array | ArrayBuffer, options: ReadNirOptions = {}): Promise<NirDocument> {
  const source = options.source ?? 'NIR file';
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (!hasHdf5Signature(data)) {
    throw new NirError(source, `not an HDF5 file (${data.length < 8 ? `only ${data.length} bytes` : 'no HDF5 signature'}); NIR files are HDF5`);
  }
  const declared = declaredFileSize(data);
  if (declared !== null && declared > data.length) {
    throw new NirError(source, `truncated: the HDF5 superblock says the file is ${declared} bytes, got ${data.length}`);
  }
  let root: H5Group;
  try {
    root = await readHdf5(data);
  } catch (e) {
    throw new NirError(source, `unreadable HDF5 (truncated or corrupt?): ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseDocument(root, source);
}

/** Validate an HDF5 tree laid out as a NIR file (also used by writeNir before writing). */
export function parseDocument(root: H5Group, source: string): NirDocument {
  const version = parseVersion(root.entries['version'], source);
  const node = root.entries['node'];
  if (node === undefined) throw new NirError(source, "no 'node' group at the root: not a NIR file");
  const graph = parseNode(node, '', source);
  if (graph.type !== 'NIRGraph') throw new NirError(source, `the top-level node is a ${graph.type}, expected a NIRGraph`, { node: '', type: graph.type });
  return { version, graph };
}

function parseVersion(value: H5Value | undefined, source: string): string {
  if (value === undefined) throw new NirError(source, "no 'version' dataset at the root: not a NIR file");
  const parsed = NirVersion.safeParse(value);
  if (!parsed.success) throw new NirError(source, `version: ${parsed.error.issues[0]!.message}`);
  const major = Number(parsed.data.split('.')[0]);
  if (major > MAX_MAJOR) throw new NirError(source, `NIR version ${parsed.data} is newer than this reader knows (0.1 to ${MAX_MAJOR}.x)`);
  return parsed.data;
}

function parseNode(value: H5Value, path: string, source: string): NirNode {
  if (!isGroup(value)) throw new NirError(source, `expected a group, got ${describe(value)}`, { node: path });
  const { type: typeValue, ...fields } = value.entries;
  const typeParsed = Text.safeParse(typeValue);
  if (!typeParsed.success) throw new NirError(source, typeParsed.error.issues[0]!.message, { node: path, field: 'type' });
  const type = typeParsed.data;
  if (type === 'NIRGraph') return parseGraph(fields, path, source);
  const primitive = getPrimitive(type);
  if (primitive === undefined) {
    throw new NirError(source, `unknown NIR type '${type}' (known: ${NIR_TYPES.join(', ')})`, { node: path, field: 'type' });
  }
  return check(primitive.schema.safeParse(fields), path, type, source);
}

function check<T>(result: z.ZodSafeParseResult<T>, path: string, type: string, source: string): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new NirError(source, `unknown field for a ${type} node`, { node: path, type, field: issue.keys[0]! });
  }
  const field = issue.path.map(String).join('.');
  throw new NirError(source, issue.message, { node: path, type, field: field === '' ? null : field });
}

function parseGraph(fields: Record<string, H5Value>, path: string, source: string): NirGraph {
  const own = check(NirGraphFieldsSchema.safeParse(fields), path, 'NIRGraph', source);
  const nodes: Record<string, NirNode> = {};
  for (const [name, child] of Object.entries(own.nodes.entries)) {
    nodes[name] = parseNode(child, path === '' ? name : `${path}/${name}`, source);
  }
  const graph: NirGraph = { type: 'NIRGraph', nodes, edges: own.edges, ...(own.metadata ? { metadata: own.metadata } : {}) };
  own.edges.forEach(([from, to], i) => {
    for (const end of [from, to]) {
      if (!resolves(graph, end)) {
        throw new NirError(source, `edge ${i} ('${from}' → '${to}') names '${end}', which is not a node of this graph`, {
          node: path,
          type: 'NIRGraph',
          field: 'edges',
        });
      }
    }
  });
  return graph;
}

/** `name`, or `sub.inner` for a node inside the subgraph `sub`. */
function resolves(graph: NirGraph, name: string): boolean {
  if (Object.prototype.hasOwnProperty.call(graph.nodes, name)) return true;
  const dot = name.indexOf('.');
  if (dot < 0) return false;
  const sub = graph.nodes[name.slice(0, dot)];
  return sub?.type === 'NIRGraph' && resolves(sub, name.slice(dot + 1));
}
