/**
 * Whether two NIR graphs hold the same nodes, edges and metadata, numeric arrays compared
 * with `tensorsEqual` (dtype, shape, values bit for bit). vitest's toEqual walks typed arrays
 * element by element through its generic equality, minutes for the 300k weights of a CNN.
 */
import type { NirGraph } from '../src/graph.js';
import { isTensor, tensorsEqual } from '../src/tensor.js';

/** The first difference as a path and what differs, or null when the graphs are the same. */
export function graphDifference(a: unknown, b: unknown, path = ''): string | null {
  if (isTensor(a) || isTensor(b)) {
    if (!(isTensor(a) && isTensor(b) && tensorsEqual(a, b))) return `${path}: arrays differ`;
    return null;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys [${ka.join(', ')}] ≠ [${kb.join(', ')}]`;
  for (const k of ka) {
    const d = graphDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}

export const sameGraph = (a: NirGraph, b: NirGraph): string | null => graphDifference(a, b);
