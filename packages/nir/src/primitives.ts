/**
 * The primitive registry (DESIGN: a registry, not switches): NIR type name → its zod schema
 * (HDF5 fields → typed node, schema.ts) and its writer (typed node → HDF5 fields). The
 * reader and the writer know no primitive by name; NIRGraph is the one recursive case and
 * lives in read.ts / write.ts.
 */
import type { z } from 'zod';
import type { H5Value } from './hdf5.js';
import type { NirNode } from './graph.js';
import {
  NirAffineSchema,
  NirAvgPool2dSchema,
  NirConv1dSchema,
  NirConv2dSchema,
  NirCubaLIFSchema,
  NirCubaLISchema,
  NirDelaySchema,
  NirFlattenSchema,
  NirIFSchema,
  NirInputSchema,
  NirISchema,
  NirLIFSchema,
  NirLinearSchema,
  NirLISchema,
  NirOutputSchema,
  NirScaleSchema,
  NirSumPool2dSchema,
  NirThresholdSchema,
} from './schema.js';
import { nirTensor, type NirTensor } from './tensor.js';

type LeafNode = Exclude<NirNode, { type: 'NIRGraph' }>;
type Fields = Record<string, H5Value>;

export interface NirPrimitive<N extends LeafNode = LeafNode> {
  readonly type: N['type'];
  /** Validates a node group's fields (without `type`) and returns the typed node. */
  readonly schema: { safeParse(fields: unknown): z.ZodSafeParseResult<N> };
  /** The node's fields as datasets, in the reference's layout (without `type` and `metadata`). */
  fields(node: N): Fields;
}

/** Integers as NIR stores them: int64 (numpy's default), a scalar or a 1-D array. */
const int64 = (x: number): NirTensor => nirTensor([x], [], 'int64');
const int64s = (xs: readonly number[]): NirTensor => nirTensor(xs, [xs.length], 'int64');
const text = (s: string): H5Value => ({ kind: 'strings', shape: [], values: [s] });
const padding = (p: string | number | readonly number[]): H5Value =>
  typeof p === 'string' ? text(p) : typeof p === 'number' ? int64(p) : int64s(p);

function define<N extends LeafNode>(type: N['type'], schema: NirPrimitive<N>['schema'], fields: (n: N) => Fields): NirPrimitive<N> {
  return { type, schema, fields };
}

type Of<T extends LeafNode['type']> = Extract<LeafNode, { type: T }>;

const PRIMITIVES = [
  define<Of<'Input'>>('Input', NirInputSchema, (n) => ({ shape: int64s(n.shape) })),
  define<Of<'Output'>>('Output', NirOutputSchema, (n) => ({ shape: int64s(n.shape) })),
  define<Of<'Affine'>>('Affine', NirAffineSchema, (n) => ({ weight: n.weight, bias: n.bias })),
  define<Of<'Linear'>>('Linear', NirLinearSchema, (n) => ({ weight: n.weight })),
  define<Of<'Scale'>>('Scale', NirScaleSchema, (n) => ({ scale: n.scale })),
  define<Of<'Threshold'>>('Threshold', NirThresholdSchema, (n) => ({ threshold: n.threshold })),
  define<Of<'Delay'>>('Delay', NirDelaySchema, (n) => ({ delay: n.delay })),
  define<Of<'I'>>('I', NirISchema, (n) => ({ r: n.r })),
  define<Of<'IF'>>('IF', NirIFSchema, (n) => ({ r: n.r, v_threshold: n.v_threshold, v_reset: n.v_reset })),
  define<Of<'LI'>>('LI', NirLISchema, (n) => ({ tau: n.tau, r: n.r, v_leak: n.v_leak })),
  define<Of<'LIF'>>('LIF', NirLIFSchema, (n) => ({ tau: n.tau, r: n.r, v_leak: n.v_leak, v_threshold: n.v_threshold, v_reset: n.v_reset })),
  define<Of<'CubaLI'>>('CubaLI', NirCubaLISchema, (n) => ({ tau_syn: n.tau_syn, tau_mem: n.tau_mem, r: n.r, v_leak: n.v_leak, w_in: n.w_in })),
  define<Of<'CubaLIF'>>('CubaLIF', NirCubaLIFSchema, (n) => ({
    tau_syn: n.tau_syn,
    tau_mem: n.tau_mem,
    r: n.r,
    v_leak: n.v_leak,
    v_threshold: n.v_threshold,
    v_reset: n.v_reset,
    w_in: n.w_in,
  })),
  define<Of<'Conv1d'>>('Conv1d', NirConv1dSchema, (n) => ({
    weight: n.weight,
    bias: n.bias,
    stride: int64(n.stride),
    padding: padding(n.padding),
    dilation: int64(n.dilation),
    groups: int64(n.groups),
    ...(n.input_shape === null ? {} : { input_shape: int64(n.input_shape) }),
  })),
  define<Of<'Conv2d'>>('Conv2d', NirConv2dSchema, (n) => ({
    weight: n.weight,
    bias: n.bias,
    stride: int64s(n.stride),
    padding: padding(n.padding),
    dilation: int64s(n.dilation),
    groups: int64(n.groups),
    ...(n.input_shape === null ? {} : { input_shape: int64s(n.input_shape) }),
  })),
  define<Of<'SumPool2d'>>('SumPool2d', NirSumPool2dSchema, (n) => ({ kernel_size: int64s(n.kernel_size), stride: int64s(n.stride), padding: int64s(n.padding) })),
  define<Of<'AvgPool2d'>>('AvgPool2d', NirAvgPool2dSchema, (n) => ({ kernel_size: int64s(n.kernel_size), stride: int64s(n.stride), padding: int64s(n.padding) })),
  define<Of<'Flatten'>>('Flatten', NirFlattenSchema, (n) => ({
    start_dim: int64(n.start_dim),
    end_dim: int64(n.end_dim),
    ...(n.input_type === null ? {} : { input_type: int64s(n.input_type) }),
  })),
] as const;

export const nirPrimitives: Readonly<Record<LeafNode['type'], NirPrimitive>> = Object.fromEntries(PRIMITIVES.map((p) => [p.type, p])) as never;

/** Every NIR type this package reads and writes, the graph included. */
export const NIR_TYPES = ['NIRGraph', ...PRIMITIVES.map((p) => p.type)] as const;

export function getPrimitive(type: string): NirPrimitive | undefined {
  return Object.prototype.hasOwnProperty.call(nirPrimitives, type) ? nirPrimitives[type as LeafNode['type']] : undefined;
}
