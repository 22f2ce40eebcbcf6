/**
 * summarizeNir: what `spikelite import FILE.nir` prints. Every node with its type and a
 * one-line description (shapes, sizes, parameter ranges; times in ms), the counts, the Input
 * and Output shapes, and whether the graph maps to a spikelite SNN (and if not, why).
 */
import { NIR_CONVENTION_DEFAULT_DT, type NirConvention } from '@spikelite/schemas';
import { NirError } from './errors.js';
import { walkNodes, type NirDocument, type NirNode } from './graph.js';
import { isNirNeuron, neuronShape } from './neurons.js';
import { isTensor, sizeOf, type NirTensor } from './tensor.js';
import { nirToSpikelite, type NirReadout } from './to-spikelite.js';

export interface NirNodeSummary {
  /** Path in the graph ('sub/lif' inside a subgraph). */
  readonly path: string;
  readonly type: string;
  /** One line: shapes, sizes and parameter ranges. */
  readonly detail: string;
  /** Numbers in the node's arrays. */
  readonly parameters: number;
}

export interface NirSummary {
  readonly version: string;
  readonly nodes: readonly NirNodeSummary[];
  readonly edges: number;
  /** Every NIR type present → how many nodes. */
  readonly types: Readonly<Record<string, number>>;
  readonly parameters: number;
  /** Neurons over all neuron nodes (LIF, IF, LI, I, CubaLIF, CubaLI, Threshold). */
  readonly neurons: number;
  readonly inputs: readonly { readonly node: string; readonly shape: readonly number[] }[];
  readonly outputs: readonly { readonly node: string; readonly shape: readonly number[] }[];
  /** Whether nirToSpikelite maps the graph: the layer count and readout, or the one-line reason. */
  readonly spikelite: { readonly ok: true; readonly layers: number; readout: NirReadout } | { readonly ok: false; readonly reason: string };
  /** True when the neurons need a dt the convention does not imply (pass --dt to run it). */
  readonly needsDt: boolean;
}

const num = (x: number): string => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString());
const dims = (s: readonly number[]): string => `(${s.join(', ')})`;

/** One value, or min…max. */
function range(t: NirTensor, scale = 1): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of t.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (t.data.length === 0) return '—';
  return lo === hi ? num(lo * scale) : `${num(lo * scale)}…${num(hi * scale)}`;
}

const ms = (t: NirTensor) => `${range(t, 1e3)} ms`;
const pair = (p: readonly number[]) => (p[0] === p[1] ? String(p[0]) : p.join('×'));

type Describe<T extends NirNode['type']> = (n: Extract<NirNode, { type: T }>) => string;

/** NIR type → its one-line description (a registry). */
const DESCRIBE: { readonly [T in NirNode['type']]: Describe<T> } = {
  NIRGraph: (n) => `subgraph of ${Object.keys(n.nodes).length} nodes, ${n.edges.length} edges`,
  Input: (n) => `shape ${dims(n.shape)}`,
  Output: (n) => `shape ${dims(n.shape)}`,
  Affine: (n) => `weight ${dims(n.weight.shape)} (out, in), bias ${range(n.bias)}`,
  Linear: (n) => `weight ${dims(n.weight.shape)} (out, in)`,
  Scale: (n) => `${dims(n.scale.shape)}, ${range(n.scale)}`,
  Threshold: (n) => `${dims(n.threshold.shape)}, threshold ${range(n.threshold)}`,
  Delay: (n) => `${dims(n.delay.shape)}, delay ${ms(n.delay)}`,
  I: (n) => `${dims(neuronShape(n))}, r ${range(n.r)}`,
  IF: (n) => `${dims(neuronShape(n))}, r ${range(n.r)}, v_threshold ${range(n.v_threshold)}, v_reset ${range(n.v_reset)}`,
  LI: (n) => `${dims(neuronShape(n))}, tau ${ms(n.tau)}, r ${range(n.r)}, v_leak ${range(n.v_leak)}`,
  LIF: (n) => `${dims(neuronShape(n))}, tau ${ms(n.tau)}, r ${range(n.r)}, v_leak ${range(n.v_leak)}, v_threshold ${range(n.v_threshold)}, v_reset ${range(n.v_reset)}`,
  CubaLI: (n) => `${dims(neuronShape(n))}, tau_syn ${ms(n.tau_syn)}, tau_mem ${ms(n.tau_mem)}, r ${range(n.r)}, w_in ${range(n.w_in)}`,
  CubaLIF: (n) =>
    `${dims(neuronShape(n))}, tau_syn ${ms(n.tau_syn)}, tau_mem ${ms(n.tau_mem)}, r ${range(n.r)}, w_in ${range(n.w_in)}, v_threshold ${range(n.v_threshold)}, v_reset ${range(n.v_reset)}`,
  Conv1d: (n) => `${n.weight.shape[1]! * n.groups}→${n.weight.shape[0]} kernel ${n.weight.shape[2]}, stride ${n.stride}, padding ${n.padding}, dilation ${n.dilation}, groups ${n.groups}`,
  Conv2d: (n) =>
    `${n.weight.shape[1]! * n.groups}→${n.weight.shape[0]} ${n.weight.shape[2]}×${n.weight.shape[3]}, stride ${pair(n.stride)}, padding ${typeof n.padding === 'string' ? n.padding : pair(n.padding)}, dilation ${pair(n.dilation)}, groups ${n.groups}${n.input_shape ? `, input ${n.input_shape.join('×')}` : ''}`,
  SumPool2d: (n) => `${n.kernel_size.join('×')}, stride ${pair(n.stride)}, padding ${pair(n.padding)}`,
  AvgPool2d: (n) => `${n.kernel_size.join('×')}, stride ${pair(n.stride)}, padding ${pair(n.padding)}`,
  Flatten: (n) => `dims ${n.start_dim}..${n.end_dim}${n.input_type ? ` of ${dims(n.input_type)}` : ''}`,
};

export interface SummarizeNirOptions {
  /** The dt and convention the graph would run with (only whether it needs a dt depends on them). */
  readonly dt?: number;
  readonly convention?: NirConvention;
  readonly source?: string;
}

export function summarizeNir(doc: NirDocument, options: SummarizeNirOptions = {}): NirSummary {
  const convention = options.convention ?? 'nir';
  const nodes: NirNodeSummary[] = [];
  const types: Record<string, number> = {};
  let parameters = 0;
  let neurons = 0;
  let dtNeurons = 0;
  const inputs: { node: string; shape: number[] }[] = [];
  const outputs: { node: string; shape: number[] }[] = [];
  for (const { path, node } of walkNodes(doc.graph)) {
    const count = Object.values(node).filter(isTensor).reduce((a, t) => a + sizeOf(t.shape), 0);
    parameters += count;
    types[node.type] = (types[node.type] ?? 0) + 1;
    if (isNirNeuron(node)) {
      neurons += sizeOf(neuronShape(node));
      if (node.type !== 'Threshold') dtNeurons++;
    }
    if (!path.includes('/') && node.type === 'Input') inputs.push({ node: path, shape: [...node.shape] });
    if (!path.includes('/') && node.type === 'Output') outputs.push({ node: path, shape: [...node.shape] });
    nodes.push({ path, type: node.type, detail: (DESCRIBE[node.type] as Describe<NirNode['type']>)(node), parameters: count });
  }
  const needsDt = dtNeurons > 0 && options.dt === undefined && NIR_CONVENTION_DEFAULT_DT[convention] === null;
  let spikelite: NirSummary['spikelite'];
  try {
    // The mapping's structure does not depend on dt: a stand-in when none is given.
    const imported = nirToSpikelite(doc.graph, { dt: options.dt ?? 1e-3, convention, source: options.source ?? 'NIR file' });
    spikelite = { ok: true, layers: imported.spec.layers.length, readout: imported.output.readout };
  } catch (e) {
    if (!(e instanceof NirError)) throw e;
    spikelite = { ok: false, reason: e.message };
  }
  return { version: doc.version, nodes, edges: countEdges(doc.graph), types, parameters, neurons, inputs, outputs, spikelite, needsDt };
}

function countEdges(g: NirDocument['graph']): number {
  return g.edges.length + Object.values(g.nodes).reduce((a, n) => a + (n.type === 'NIRGraph' ? countEdges(n) : 0), 0);
}

const READOUT: Record<NirReadout, string> = {
  spikes: 'spikes',
  membrane: 'a membrane (LI, I or CubaLI)',
  analog: 'analog values',
};

/** The summary as text lines (what `spikelite import FILE.nir` prints without --json). */
export function formatNirSummary(s: NirSummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const width = Math.max(4, ...s.nodes.map((x) => x.path.length));
  const typeWidth = Math.max(4, ...s.nodes.map((x) => x.type.length));
  const lines = [
    `NIR ${s.version}: ${n(s.nodes.length)} nodes, ${n(s.edges)} edges, ${n(s.parameters)} parameters, ${n(s.neurons)} neurons`,
    `input ${s.inputs.map((i) => `${i.node} ${dims(i.shape)}`).join(', ') || 'none'}; output ${s.outputs.map((o) => `${o.node} ${dims(o.shape)}`).join(', ') || 'none'}`,
    ...s.nodes.map((x) => `  ${x.path.padEnd(width)}  ${x.type.padEnd(typeWidth)}  ${x.detail}`),
    s.spikelite.ok
      ? `runs in spikelite: yes, as ${s.spikelite.layers} layers; the Output carries ${READOUT[s.spikelite.readout]}${s.needsDt ? '; needs dt (seconds per step): NIR files do not store it' : ''}`
      : `runs in spikelite: no: ${s.spikelite.reason}`,
  ];
  return lines.join('\n');
}
