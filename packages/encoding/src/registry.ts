import type { EncodingKind, EncodingSpec } from '@spikelite/schemas';
import { directEncoding } from './direct.js';
import { framesEncoding } from './frames.js';
import { hybridEncoding } from './hybrid.js';
import { rateEncoding } from './rate.js';
import { temporalEncoding } from './temporal.js';
import type { EncodingDefinition } from './types.js';

type SpecOf<K extends EncodingKind> = Extract<EncodingSpec, { kind: K }>;

/** kind → definition. A new encoding is one file exporting an EncodingDefinition plus one line here. */
export const encodingRegistry: { readonly [K in EncodingKind]: EncodingDefinition<SpecOf<K>> } = {
  direct: directEncoding,
  rate: rateEncoding,
  temporal: temporalEncoding,
  hybrid: hybridEncoding,
  frames: framesEncoding,
};

export function encodingDefinition(kind: EncodingKind): EncodingDefinition {
  return encodingRegistry[kind] as unknown as EncodingDefinition;
}
