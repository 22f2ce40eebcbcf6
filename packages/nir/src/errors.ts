/**
 * One error per malformed NIR file: it names the file, the node (its path in the graph,
 * subgraphs joined with '/') and the field, e.g.
 *   `net.nir: node 'sub/lif1' (LIF): field 'tau': expected a numeric array, got a group`.
 */
export class NirError extends Error {
  override readonly name = 'NirError';
  /** The file (or the name the caller gave the bytes). */
  readonly source: string;
  /** Path of the node in the graph ('' for the root graph), or null for file-level problems. */
  readonly node: string | null;
  readonly field: string | null;

  constructor(source: string, detail: string, where: { node?: string | null; type?: string; field?: string | null } = {}) {
    const node = where.node ?? null;
    const field = where.field ?? null;
    const parts = [source];
    if (node !== null) parts.push(`node '${node === '' ? '(root)' : node}'${where.type ? ` (${where.type})` : ''}`);
    if (field !== null) parts.push(`field '${field}'`);
    super(`${parts.join(': ')}: ${detail}`);
    this.source = source;
    this.node = node;
    this.field = field;
  }
}
