/**
 * zod schemas of the NIR primitives, applied to a node's HDF5 group (its datasets, as read by
 * hdf5.ts). Each schema validates the fields and returns the typed node; the first problem
 * becomes one NirError naming the node and the field (read.ts).
 *
 * Layout facts (NIR reference, `nir/ir/*.py`, `nir/serialization.py`, versions 0.1–1.0):
 * every field is a dataset, never an attribute; `type` is a string dataset; integers are
 * int64 (numpy's default); Conv2d's stride/padding/dilation are ints or pairs and padding may
 * be the string 'same' or 'valid'; `v_reset` came in later (absent → zeros like
 * `v_threshold`), and so did CubaLIF's `w_in` (absent → ones); Conv `input_shape` and
 * Flatten `input_type` may be absent. Some 1.0.x writers also stored `input_type` and
 * `output_type` groups on every node: they are derived data and are ignored. `metadata` is a
 * group of free-form datasets, kept as read.
 */
import { z } from 'zod';
import { describe, isGroup, isStrings, type H5Group, type H5Value } from './hdf5.js';
import { filledTensor, isTensor, sizeOf, type NirTensor } from './tensor.js';

// ---------------------------------------------------------------- field types

const got = (input: unknown): string => describe(input as H5Value | undefined).replace(/^nothing$/, 'nothing (the field is missing)');

/** Any numeric array. */
export const Tensor = z.custom<NirTensor>((v) => isTensor(v), { error: (iss) => `expected a numeric array, got ${got(iss.input)}` });

/** A numeric array of `rank` dimensions (at least `rank` when `atLeast`). */
const tensorOfRank = (rank: number, what: string, atLeast = false) =>
  Tensor.refine((t) => (atLeast ? t.shape.length >= rank : t.shape.length === rank), {
    error: (iss) => `expected ${what}, got shape [${(iss.input as NirTensor).shape.join(', ')}]`,
  });

/** A scalar string dataset. */
export const Text = z
  .custom<{ values: string[] }>((v) => isStrings(v) && v.shape.length === 0, {
    error: (iss) => `expected a string, got ${got(iss.input)}`,
  })
  .transform((v) => v.values[0]!);

const integers = (t: NirTensor): number[] | null => {
  const xs = Array.from(t.data);
  return xs.every((x) => Number.isInteger(x)) ? xs : null;
};

/** An integer: a scalar or one-element integer array. */
export const Int = Tensor.transform((t, ctx) => {
  const xs = integers(t);
  if (xs === null || xs.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `expected an integer, got ${got(t)}${xs === null ? ' with non-integer values' : ''}` });
    return z.NEVER;
  }
  return xs[0]!;
});

/** `n` integers ≥ `min`; a single integer is repeated (PyTorch's `stride=2` means (2, 2)). */
const ints = (n: number, min: number, what: string) =>
  Tensor.transform((t, ctx) => {
    const xs = integers(t);
    const list = xs !== null && xs.length === 1 ? new Array<number>(n).fill(xs[0]!) : xs;
    if (list === null || list.length !== n || list.some((x) => x < min)) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}: ${n} integer(s) ≥ ${min}, got ${got(t)}${xs ? ` = [${xs.join(', ')}]` : ''}` });
      return z.NEVER;
    }
    return list;
  });

export const IntPair = (min: number, what: string) => ints(2, min, what).transform((xs) => [xs[0]!, xs[1]!] as [number, number]);
const IntOne = (min: number, what: string) => ints(1, min, what).transform((xs) => xs[0]!);

/** A shape: a 1-D array (or scalar) of integers ≥ 0. */
export const ShapeList = Tensor.transform((t, ctx) => {
  const xs = integers(t);
  if (xs === null || t.shape.length > 1 || xs.some((x) => x < 0)) {
    ctx.addIssue({ code: 'custom', message: `expected a shape (a list of integers ≥ 0), got ${got(t)}` });
    return z.NEVER;
  }
  return xs;
});

const PaddingMode = z
  .custom<{ values: string[] }>((v) => isStrings(v) && v.shape.length === 0)
  .transform((v) => v.values[0]!)
  .pipe(z.enum(['same', 'valid'], { error: (iss) => `expected 'same', 'valid' or integers, got ${JSON.stringify(iss.input)}` }));

/** The edges of a graph: an (E, 2) string array; an empty graph may store any empty array. */
export const Edges = z
  .custom<H5Value>((v) => (isStrings(v) && v.shape.length === 2 && v.shape[1] === 2) || (isStrings(v) && v.values.length === 0) || (isTensor(v) && v.data.length === 0), {
    error: (iss) => `expected an (E, 2) array of node names, got ${got(iss.input)}`,
  })
  .transform((v) => {
    const values = isStrings(v) ? v.values : [];
    const out: [string, string][] = [];
    for (let i = 0; i + 1 < values.length; i += 2) out.push([values[i]!, values[i + 1]!]);
    return out;
  });

/** Free-form metadata: strings, numeric arrays and groups of them. */
export type NirMetadataValue = string | NirTensor | { readonly [key: string]: NirMetadataValue };
export type NirMetadata = { readonly [key: string]: NirMetadataValue };

function metadataOf(group: H5Group, path: string[], ctx: z.RefinementCtx): NirMetadata {
  const out: Record<string, NirMetadataValue> = {};
  for (const [k, v] of Object.entries(group.entries)) {
    if (isGroup(v)) out[k] = metadataOf(v, [...path, k], ctx);
    else if (isStrings(v) && v.shape.length === 0) out[k] = v.values[0]!;
    else if (isTensor(v)) out[k] = v;
    else ctx.addIssue({ code: 'custom', path: [...path, k], message: `unsupported metadata value: ${got(v)}` });
  }
  return out;
}

export const Metadata = z
  .custom<H5Group>((v) => isGroup(v), { error: (iss) => `expected a group, got ${got(iss.input)}` })
  .transform((g, ctx) => metadataOf(g, [], ctx));

/** Derived type information some writers stored; ignored. */
const Ignored = z.unknown();

/** Fields every node may carry besides its own. */
const common = { metadata: Metadata.optional(), input_type: Ignored.optional(), output_type: Ignored.optional() };

type WithoutDerived<T> = Omit<T, 'input_type' | 'output_type' | 'metadata'> & { metadata?: NirMetadata };

/** Drops the derived type fields, and `metadata` when it is empty (the reference skips writing it then). */
const withoutDerived = <T extends { input_type?: unknown; output_type?: unknown; metadata?: NirMetadata | undefined }>(n: T): WithoutDerived<T> => {
  const { input_type: _i, output_type: _o, metadata, ...rest } = n;
  return metadata === undefined || Object.keys(metadata).length === 0 ? rest : { ...rest, metadata };
};

// ---------------------------------------------------------------- neuron parameter shapes

/**
 * Neuron parameters are arrays of the neuron shape. The reference requires equal shapes;
 * a one-element array is also accepted and broadcasts (some exporters write scalars).
 */
function checkSameShape(fields: readonly string[]) {
  return (n: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const present = fields.filter((f) => isTensor(n[f]));
    let ref = present[0];
    for (const f of present) if (sizeOf((n[f] as NirTensor).shape) > sizeOf((n[ref!] as NirTensor).shape)) ref = f;
    if (ref === undefined) return;
    const shape = (n[ref] as NirTensor).shape;
    for (const f of present) {
      const s = (n[f] as NirTensor).shape;
      if (sizeOf(s) !== 1 && (s.length !== shape.length || s.some((d, i) => d !== shape[i]))) {
        ctx.addIssue({ code: 'custom', path: [f], message: `shape [${s.join(', ')}] does not match the neuron shape [${shape.join(', ')}] (of '${ref}')` });
      }
    }
  };
}

function checkPositive(fields: readonly string[]) {
  return (n: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const f of fields) {
      const t = n[f];
      if (!isTensor(t)) continue;
      const bad = Array.from(t.data).find((x) => !(x > 0));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', path: [f], message: `time constants must be > 0, got ${bad}` });
    }
  };
}

const zerosLike = (t: NirTensor): NirTensor => filledTensor(t.shape, 0, t.dtype);
const onesLike = (t: NirTensor): NirTensor => filledTensor(t.shape, 1, t.dtype);

// ---------------------------------------------------------------- primitives

export const NirInputSchema = z.strictObject({ shape: ShapeList, ...common }).transform((n) => ({ type: 'Input' as const, ...withoutDerived(n) }));
export const NirOutputSchema = z.strictObject({ shape: ShapeList, ...common }).transform((n) => ({ type: 'Output' as const, ...withoutDerived(n) }));

export const NirAffineSchema = z
  .strictObject({ weight: tensorOfRank(2, 'a weight of at least 2 dimensions (…, out, in)', true), bias: Tensor, ...common })
  .superRefine((n, ctx) => {
    const out = sizeOf(n.weight.shape.slice(0, -1));
    if (sizeOf(n.bias.shape) !== out && sizeOf(n.bias.shape) !== 1) {
      ctx.addIssue({ code: 'custom', path: ['bias'], message: `has ${sizeOf(n.bias.shape)} values but the weight [${n.weight.shape.join(', ')}] has ${out} outputs` });
    }
  })
  .transform((n) => ({ type: 'Affine' as const, ...withoutDerived(n) }));

export const NirLinearSchema = z
  .strictObject({ weight: tensorOfRank(2, 'a weight of at least 2 dimensions (…, out, in)', true), ...common })
  .transform((n) => ({ type: 'Linear' as const, ...withoutDerived(n) }));

export const NirScaleSchema = z.strictObject({ scale: Tensor, ...common }).transform((n) => ({ type: 'Scale' as const, ...withoutDerived(n) }));
export const NirThresholdSchema = z.strictObject({ threshold: Tensor, ...common }).transform((n) => ({ type: 'Threshold' as const, ...withoutDerived(n) }));

export const NirDelaySchema = z
  .strictObject({ delay: Tensor, ...common })
  .superRefine((n, ctx) => {
    const bad = Array.from(n.delay.data).find((x) => !(x >= 0));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', path: ['delay'], message: `delays must be ≥ 0, got ${bad}` });
  })
  .transform((n) => ({ type: 'Delay' as const, ...withoutDerived(n) }));

export const NirISchema = z.strictObject({ r: Tensor, ...common }).transform((n) => ({ type: 'I' as const, ...withoutDerived(n) }));

export const NirIFSchema = z
  .strictObject({ r: Tensor, v_threshold: Tensor, v_reset: Tensor.optional(), ...common })
  .superRefine(checkSameShape(['r', 'v_threshold', 'v_reset']))
  .transform((n) => ({ type: 'IF' as const, ...withoutDerived({ ...n, v_reset: n.v_reset ?? zerosLike(n.v_threshold) }) }));

export const NirLISchema = z
  .strictObject({ tau: Tensor, r: Tensor, v_leak: Tensor, ...common })
  .superRefine(checkSameShape(['tau', 'r', 'v_leak']))
  .superRefine(checkPositive(['tau']))
  .transform((n) => ({ type: 'LI' as const, ...withoutDerived(n) }));

export const NirLIFSchema = z
  .strictObject({ tau: Tensor, r: Tensor, v_leak: Tensor, v_threshold: Tensor, v_reset: Tensor.optional(), ...common })
  .superRefine(checkSameShape(['tau', 'r', 'v_leak', 'v_threshold', 'v_reset']))
  .superRefine(checkPositive(['tau']))
  .transform((n) => ({ type: 'LIF' as const, ...withoutDerived({ ...n, v_reset: n.v_reset ?? zerosLike(n.v_threshold) }) }));

export const NirCubaLISchema = z
  .strictObject({ tau_syn: Tensor, tau_mem: Tensor, r: Tensor, v_leak: Tensor, w_in: Tensor.optional(), ...common })
  .superRefine(checkSameShape(['tau_syn', 'tau_mem', 'r', 'v_leak', 'w_in']))
  .superRefine(checkPositive(['tau_syn', 'tau_mem']))
  .transform((n) => ({ type: 'CubaLI' as const, ...withoutDerived({ ...n, w_in: n.w_in ?? onesLike(n.v_leak) }) }));

export const NirCubaLIFSchema = z
  .strictObject({
    tau_syn: Tensor,
    tau_mem: Tensor,
    r: Tensor,
    v_leak: Tensor,
    v_threshold: Tensor,
    v_reset: Tensor.optional(),
    w_in: Tensor.optional(),
    ...common,
  })
  .superRefine(checkSameShape(['tau_syn', 'tau_mem', 'r', 'v_leak', 'v_threshold', 'v_reset', 'w_in']))
  .superRefine(checkPositive(['tau_syn', 'tau_mem']))
  .transform((n) => ({
    type: 'CubaLIF' as const,
    ...withoutDerived({ ...n, v_reset: n.v_reset ?? zerosLike(n.v_threshold), w_in: n.w_in ?? onesLike(n.v_threshold) }),
  }));

function checkConv(n: { weight: NirTensor; bias: NirTensor; groups: number }, ctx: z.RefinementCtx): void {
  const cout = n.weight.shape[0]!;
  if (sizeOf(n.bias.shape) !== cout) {
    ctx.addIssue({ code: 'custom', path: ['bias'], message: `has ${sizeOf(n.bias.shape)} values but the weight has ${cout} output channels` });
  }
  if (n.groups < 1 || cout % n.groups !== 0) {
    ctx.addIssue({ code: 'custom', path: ['groups'], message: `${n.groups} groups do not divide ${cout} output channels` });
  }
}

export const NirConv1dSchema = z
  .strictObject({
    weight: tensorOfRank(3, 'a 3-D weight (C_out, C_in/groups, K)'),
    bias: Tensor,
    stride: IntOne(1, 'a stride'),
    padding: z.union([PaddingMode, IntOne(0, 'a padding')], { error: (iss) => `expected an integer, 'same' or 'valid', got ${got(iss.input)}` }),
    dilation: IntOne(1, 'a dilation'),
    groups: Int,
    input_shape: IntOne(1, 'an input length').optional(),
    ...common,
  })
  .superRefine(checkConv)
  .transform((n) => ({ type: 'Conv1d' as const, ...withoutDerived({ ...n, input_shape: n.input_shape ?? null }) }));

export const NirConv2dSchema = z
  .strictObject({
    weight: tensorOfRank(4, 'a 4-D weight (C_out, C_in/groups, kH, kW)'),
    bias: Tensor,
    stride: IntPair(1, 'a stride (height, width)'),
    padding: z.union([PaddingMode, IntPair(0, 'a padding (height, width)')], { error: (iss) => `expected two integers, 'same' or 'valid', got ${got(iss.input)}` }),
    dilation: IntPair(1, 'a dilation (height, width)'),
    groups: Int,
    input_shape: IntPair(1, 'an input shape (height, width)').optional(),
    ...common,
  })
  .superRefine(checkConv)
  .transform((n) => ({ type: 'Conv2d' as const, ...withoutDerived({ ...n, input_shape: n.input_shape ?? null }) }));

const pool = <T extends 'SumPool2d' | 'AvgPool2d'>(type: T) =>
  z
    .strictObject({
      kernel_size: IntPair(1, 'a kernel size (height, width)'),
      stride: IntPair(1, 'a stride (height, width)'),
      padding: IntPair(0, 'a padding (height, width)'),
      ...common,
    })
    .transform((n) => ({ type, ...withoutDerived(n) }));
export const NirSumPool2dSchema = pool('SumPool2d');
export const NirAvgPool2dSchema = pool('AvgPool2d');

/** Flatten's `input_type` is a plain shape array (every version), or a group {input: shape}. */
const FlattenInputType = z.union(
  [
    ShapeList,
    z
      .custom<H5Group>((v) => isGroup(v) && isTensor(v.entries['input']))
      .transform((g) => g.entries['input'])
      .pipe(ShapeList),
  ],
  { error: (iss) => `expected a shape, got ${got(iss.input)}` },
);

export const NirFlattenSchema = z
  .strictObject({ start_dim: Int, end_dim: Int, input_type: FlattenInputType.optional(), output_type: Ignored.optional(), metadata: Metadata.optional() })
  .superRefine((n, ctx) => {
    const shape = n.input_type;
    if (shape === undefined) return;
    const rank = shape.length;
    const s = n.start_dim < 0 ? n.start_dim + rank : n.start_dim;
    const e = n.end_dim < 0 ? n.end_dim + rank : n.end_dim;
    if (s < 0 || s >= rank) ctx.addIssue({ code: 'custom', path: ['start_dim'], message: `${n.start_dim} is outside input_type [${shape.join(', ')}]` });
    else if (e < s || e >= rank) ctx.addIssue({ code: 'custom', path: ['end_dim'], message: `${n.end_dim} is outside input_type [${shape.join(', ')}] or before start_dim` });
  })
  .transform((n) => {
    const { output_type: _o, metadata, ...rest } = n;
    const node: { type: 'Flatten'; start_dim: number; end_dim: number; input_type: number[] | null; metadata?: NirMetadata } = {
      type: 'Flatten',
      ...rest,
      input_type: n.input_type ?? null,
    };
    if (metadata !== undefined && Object.keys(metadata).length > 0) node.metadata = metadata;
    return node;
  });

/** A graph's own fields; its `nodes` group is walked by read.ts, one node at a time. */
export const NirGraphFieldsSchema = z
  .strictObject({
    nodes: z.custom<H5Group>((v) => isGroup(v), { error: (iss) => `expected a group of nodes, got ${got(iss.input)}` }),
    edges: Edges,
    ...common,
  })
  .transform((n) => withoutDerived(n));

/** The file's `version` dataset: "0.1.1", "0.2.0", "1.0.7", … */
export const NirVersion = Text.pipe(
  z.string().regex(/^\d+\.\d+(\.\d+)?([.+-].*)?$/, { error: (iss) => `expected a version such as "1.0.0", got ${JSON.stringify(iss.input)}` }),
);

export type NirInput = z.output<typeof NirInputSchema>;
export type NirOutput = z.output<typeof NirOutputSchema>;
export type NirAffine = z.output<typeof NirAffineSchema>;
export type NirLinear = z.output<typeof NirLinearSchema>;
export type NirScale = z.output<typeof NirScaleSchema>;
export type NirThreshold = z.output<typeof NirThresholdSchema>;
export type NirDelay = z.output<typeof NirDelaySchema>;
export type NirI = z.output<typeof NirISchema>;
export type NirIF = z.output<typeof NirIFSchema>;
export type NirLI = z.output<typeof NirLISchema>;
export type NirLIF = z.output<typeof NirLIFSchema>;
export type NirCubaLI = z.output<typeof NirCubaLISchema>;
export type NirCubaLIF = z.output<typeof NirCubaLIFSchema>;
export type NirConv1d = z.output<typeof NirConv1dSchema>;
export type NirConv2d = z.output<typeof NirConv2dSchema>;
export type NirSumPool2d = z.output<typeof NirSumPool2dSchema>;
export type NirAvgPool2d = z.output<typeof NirAvgPool2dSchema>;
export type NirFlatten = z.output<typeof NirFlattenSchema>;
