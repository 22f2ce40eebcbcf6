/**
 * A summary of an imported model (layers, parameters, MACs), for `spikelite import`.
 */
import { macsPerLayer } from '@spikelite/energy';
import { compileGraph } from '@spikelite/models';
import { inputShapeOf, traceShapes, type ModelSpec, type ShapeTrace } from '@spikelite/schemas';
import type { ImportReport, OnnxImport } from './import.js';

export interface LayerSummary {
  /** Spec path, e.g. `layers.3` or `layers.5.body.0`. */
  path: string;
  kind: string;
  /** The ONNX node name the layer came from, when it had one. */
  name?: string;
  /** NHWC output shape per image. */
  output: number[];
  /** Parameters of this layer (a residual: of its whole block). */
  params: number;
  /** MACs per image (conv, linear; a residual: its whole block). */
  macs: number;
  /** Nesting depth (0 at the top level, 1 inside a residual block...). */
  depth: number;
}

export interface ImportSummary {
  name: string;
  input: ModelSpec['input'];
  /** Classes of a classifier; undefined for a feature-map output. */
  classes: number | undefined;
  layers: LayerSummary[];
  totalParams: number;
  totalMacs: number;
  report: ImportReport;
}

export function summarizeImport(imported: OnnxImport): ImportSummary {
  const { spec } = imported;
  const graph = compileGraph(spec);
  const paramsByLayer = new Map<string, number>();
  for (const p of graph.params) {
    const layer = p.name.slice(0, p.name.lastIndexOf('.'));
    paramsByLayer.set(layer, (paramsByLayer.get(layer) ?? 0) + p.shape.reduce((a, b) => a * b, 1));
  }
  const macsByLayer = new Map(macsPerLayer(graph).map((m) => [m.layer, m.macs] as const));
  // A residual block's totals include everything under its path.
  const under = (map: Map<string, number>, path: string): number =>
    [...map].reduce((sum, [k, v]) => sum + (k === path || k.startsWith(`${path}.`) ? v : 0), 0);

  const layers: LayerSummary[] = [];
  const walk = (traces: ShapeTrace[], depth: number): void => {
    for (const t of traces) {
      layers.push({
        path: t.path,
        kind: t.kind,
        ...(t.name !== undefined ? { name: t.name } : {}),
        output: [...t.output],
        params: under(paramsByLayer, t.path),
        macs: under(macsByLayer, t.path),
        depth,
      });
      if (t.body) walk(t.body, depth + 1);
      if (t.shortcut) walk(t.shortcut, depth + 1);
    }
  };
  walk(traceShapes(spec, spec.name ?? 'model'), 0);
  return {
    name: spec.name ?? 'model',
    input: spec.input,
    classes: spec.classes,
    layers,
    totalParams: [...paramsByLayer.values()].reduce((a, b) => a + b, 0),
    totalMacs: [...macsByLayer.values()].reduce((a, b) => a + b, 0),
    report: imported.report,
  };
}

/** A plain-text table of a summary (one line per layer). */
export function formatSummary(s: ImportSummary): string {
  const rows = s.layers.map((l) => [
    `${'  '.repeat(l.depth)}${l.path}`,
    l.kind,
    `[${l.output.join(', ')}]`,
    l.params.toLocaleString('en-US'),
    l.macs.toLocaleString('en-US'),
    l.name ?? '',
  ]);
  const head = ['layer', 'kind', 'output', 'params', 'MACs', 'onnx node'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const r = s.report;
  return [
    `${s.name}: input ${'channels' in s.input ? `${s.input.channels}x${s.input.height}x${s.input.width}` : `[${inputShapeOf(s.input).join(', ')}]`}, ${s.classes !== undefined ? `${s.classes} classes` : `output [${r.output.dims.join(', ')}] (a feature map)`}, opset ${r.opset}${r.producer ? `, ${r.producer}` : ''}`,
    line(head),
    ...rows.map(line),
    `total: ${s.totalParams.toLocaleString('en-US')} parameters, ${s.totalMacs.toLocaleString('en-US')} MACs per image; ` +
      `${r.folded.length} node(s) folded, ${r.fused.length} pattern(s) fused, ${r.removed.length} removed${r.outputActivation ? `, final ${r.outputActivation} removed (outputs logits)` : ''}`,
  ].join('\n');
}
