/**
 * A ModelSpec compiled into nodes with parameter names, input shapes and, for every layer
 * with weights, which activation (or the encoded input) feeds it — energy accounting
 * needs that to turn spike counts into operations.
 */
import { pair, traceShapes, type Layer, type ModelSpec, type Shape, type ShapeTrace } from '@spikelite/schemas';
import type { ParamInfo } from './params.js';

/** What feeds a weight layer: the encoded input, or the activation with this index. */
export type Source = { kind: 'input' } | { kind: 'activation'; index: number } | { kind: 'mixed'; indices: number[] };

interface Base {
  /** Dotted spec path, e.g. `layers.3` or `layers.8.body.0`: the layer's stable name. */
  readonly path: string;
  readonly input: Shape;
  readonly output: Shape;
}
export type Node =
  | (Base & { op: 'conv2d'; layer: Extract<Layer, { kind: 'conv2d' }>; kernel: string; bias: string | null; source: Source })
  | (Base & { op: 'linear'; layer: Extract<Layer, { kind: 'linear' }>; kernel: string; bias: string | null; source: Source })
  | (Base & { op: 'avgPool'; layer: Extract<Layer, { kind: 'avgPool' }> })
  | (Base & { op: 'maxPool'; layer: Extract<Layer, { kind: 'maxPool' }> })
  | (Base & { op: 'globalAvgPool' })
  | (Base & { op: 'flatten' })
  | (Base & { op: 'batchNorm'; layer: Extract<Layer, { kind: 'batchNorm' }>; gamma: string; beta: string; mean: string; variance: string })
  | (Base & { op: 'dropout'; rate: number; index: number })
  | (Base & { op: 'activation'; layer: Extract<Layer, { kind: 'activation' }>; index: number })
  | (Base & { op: 'residual'; body: Node[]; shortcut: Node[] });

export interface CompiledGraph {
  readonly nodes: Node[];
  readonly params: ParamInfo[];
  /** Activation nodes in execution order (node.index is the position here). */
  readonly activations: Array<Extract<Node, { op: 'activation' }>>;
  readonly dropouts: Array<Extract<Node, { op: 'dropout' }>>;
  /** Weight layers (conv2d, linear) in execution order. */
  readonly weightLayers: Array<Extract<Node, { op: 'conv2d' | 'linear' }>>;
}

const channelsOf = (s: Shape): number => s[s.length - 1]!;

export function compileGraph(spec: ModelSpec): CompiledGraph {
  const traces = traceShapes(spec, spec.name ?? 'model');
  const params: ParamInfo[] = [];
  const activations: CompiledGraph['activations'] = [];
  const dropouts: CompiledGraph['dropouts'] = [];
  const weightLayers: CompiledGraph['weightLayers'] = [];

  const walk = (layers: Layer[], tr: ShapeTrace[], source: Source): { nodes: Node[]; source: Source } => {
    const nodes: Node[] = [];
    layers.forEach((layer, i) => {
      const t = tr[i]!;
      const base = { path: t.path, input: t.input, output: t.output };
      switch (layer.kind) {
        case 'conv2d': {
          if (layer.groups !== 1) throw new Error(`${t.path}: grouped convolutions (groups=${layer.groups}) are not supported yet`);
          const [kh, kw] = pair(layer.kernelSize);
          const kernel = `${t.path}.kernel`;
          params.push({ name: kernel, shape: [kh, kw, channelsOf(t.input), layer.filters], role: 'weight', trainable: true });
          const bias = layer.useBias ? `${t.path}.bias` : null;
          if (bias) params.push({ name: bias, shape: [layer.filters], role: 'bias', trainable: true });
          const node = { ...base, op: 'conv2d' as const, layer, kernel, bias, source };
          weightLayers.push(node);
          nodes.push(node);
          break;
        }
        case 'linear': {
          const kernel = `${t.path}.kernel`;
          if (t.input.length !== 1) throw new Error(`${t.path}: linear needs a flat input, got [${t.input}]`);
          params.push({ name: kernel, shape: [t.input[0], layer.units], role: 'weight', trainable: true });
          const bias = layer.useBias ? `${t.path}.bias` : null;
          if (bias) params.push({ name: bias, shape: [layer.units], role: 'bias', trainable: true });
          const node = { ...base, op: 'linear' as const, layer, kernel, bias, source };
          weightLayers.push(node);
          nodes.push(node);
          break;
        }
        case 'batchNorm': {
          const c = channelsOf(t.input);
          const names = { gamma: `${t.path}.gamma`, beta: `${t.path}.beta`, mean: `${t.path}.mean`, variance: `${t.path}.variance` };
          params.push(
            { name: names.gamma, shape: [c], role: 'bnGamma', trainable: true },
            { name: names.beta, shape: [c], role: 'bnBeta', trainable: true },
            { name: names.mean, shape: [c], role: 'bnMean', trainable: false },
            { name: names.variance, shape: [c], role: 'bnVar', trainable: false },
          );
          nodes.push({ ...base, op: 'batchNorm', layer, ...names });
          break;
        }
        case 'activation': {
          const node = { ...base, op: 'activation' as const, layer, index: activations.length };
          activations.push(node);
          nodes.push(node);
          source = { kind: 'activation', index: node.index };
          break;
        }
        case 'dropout': {
          const node = { ...base, op: 'dropout' as const, rate: layer.rate, index: dropouts.length };
          dropouts.push(node);
          nodes.push(node);
          break;
        }
        case 'residual': {
          const body = walk(layer.body, t.body ?? [], source);
          const shortcut = walk(layer.shortcut, t.shortcut ?? [], source);
          nodes.push({ ...base, op: 'residual', body: body.nodes, shortcut: shortcut.nodes });
          const idx = (s: Source): number[] => (s.kind === 'activation' ? [s.index] : s.kind === 'mixed' ? s.indices : []);
          const merged = [...new Set([...idx(body.source), ...idx(shortcut.source)])];
          source = merged.length === 1 ? { kind: 'activation', index: merged[0]! } : merged.length === 0 ? { kind: 'input' } : { kind: 'mixed', indices: merged };
          break;
        }
        case 'avgPool':
        case 'maxPool':
          nodes.push({ ...base, op: layer.kind, layer } as Node);
          break;
        case 'globalAvgPool':
        case 'flatten':
          nodes.push({ ...base, op: layer.kind });
          break;
      }
    });
    return { nodes, source };
  };

  const { nodes } = walk(spec.layers, traces, { kind: 'input' });
  return { nodes, params, activations, dropouts, weightLayers };
}

/** Elements per image of a shape. */
export const shapeSize = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
