/**
 * Small building blocks shared by the schema modules. Every number schema carries a
 * readable message ("expected a positive integer"), which `parseWith` combines with the
 * field path and the offending value.
 */
import { z } from 'zod';

const msg = (error: string) => ({ error });

/** An integer ≥ 1. */
export const PositiveInt = z.int(msg('expected a positive integer')).min(1, msg('expected a positive integer'));
/** An integer ≥ 0. */
export const NonNegativeInt = z
  .int(msg('expected a non-negative integer'))
  .min(0, msg('expected a non-negative integer'));
/** An unsigned 32-bit integer (RNG state words). */
export const Uint32 = z
  .int(msg('expected an unsigned 32-bit integer'))
  .min(0, msg('expected an unsigned 32-bit integer'))
  .max(0xffff_ffff, msg('expected an unsigned 32-bit integer'));
/** A finite number > 0. */
export const PositiveNumber = z.number(msg('expected a positive number')).gt(0, msg('expected a positive number'));
/** A finite number ≥ 0. */
export const NonNegativeNumber = z
  .number(msg('expected a non-negative number'))
  .min(0, msg('expected a non-negative number'));
/** A finite number in [0, 1]. */
export const UnitInterval = z
  .number(msg('expected a number in [0, 1]'))
  .min(0, msg('expected a number in [0, 1]'))
  .max(1, msg('expected a number in [0, 1]'));
/** A finite number in [0, 1). */
export const HalfOpenUnitInterval = z
  .number(msg('expected a number in [0, 1)'))
  .min(0, msg('expected a number in [0, 1)'))
  .lt(1, msg('expected a number in [0, 1)'));
/** A finite number (zod 4 rejects NaN and ±Infinity, which JSON cannot carry anyway). */
export const FiniteNumber = z.number(msg('expected a finite number'));

/** A non-empty string. */
export const NonEmptyString = z.string(msg('expected a non-empty string')).min(1, msg('expected a non-empty string'));

/** `n` or `[height, width]`: kernel sizes, strides, dilations, pool sizes. */
export const IntOrPair = z.union([PositiveInt, z.tuple([PositiveInt, PositiveInt])], {
  error: 'expected a positive integer or a [height, width] pair of positive integers',
});
export type IntOrPair = z.infer<typeof IntOrPair>;

/** The tfjs backends spikelite can run on (DESIGN "Engine"). */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export const Backend = z.enum(BACKENDS);
export type Backend = z.infer<typeof Backend>;

/** Soft reset subtracts θ·s from u (SPEC §4a); hard reset sets u to 0 after a spike. */
export const ResetMode = z.enum(['soft', 'hard']);
export type ResetMode = z.infer<typeof ResetMode>;

/** One scalar per layer, or one per output channel (feature). */
export const Granularity = z.enum(['layer', 'channel']);
export type Granularity = z.infer<typeof Granularity>;

/** Expand `n | [h, w]` to `[h, w]`. */
export function pair(v: IntOrPair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}
