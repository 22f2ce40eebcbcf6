/** One problem in a configuration: a dotted field path (empty for the whole value) and what is wrong. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Format one issue as a line: `source: path: message` (the path is left out when empty). */
export function formatIssueLine(source: string, issue: ConfigIssue): string {
  return issue.path === '' ? `${source}: ${issue.message}` : `${source}: ${issue.path}: ${issue.message}`;
}

/**
 * A configuration (JSON file, CLI value, spec object) failed validation. The message has
 * one line per issue, each naming the source and the field path, e.g.
 * `spec.json: layers.3.filters: expected a positive integer, got -2`.
 */
export class SpikeliteConfigError extends Error {
  override readonly name = 'SpikeliteConfigError';
  readonly source: string;
  readonly issues: readonly ConfigIssue[];

  constructor(source: string, issues: readonly ConfigIssue[]) {
    super(issues.map((i) => formatIssueLine(source, i)).join('\n'));
    this.source = source;
    this.issues = issues;
  }
}

/** Join a zod-style path with dots, array indices included: `layers.2.body.0.filters`. */
export function joinPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
}
