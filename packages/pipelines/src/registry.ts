/** The method registry: one file per method (methods/), one line here. */
import type { z } from 'zod';
import type { MethodDefinition, MethodId } from './method.js';
import { annMethod } from './methods/ann.js';
import { dietMethod } from './methods/diet.js';
import { fsMethod } from './methods/fs.js';
import { generalMethod } from './methods/general.js';
import { hybridMethod } from './methods/hybrid.js';
import { thresholdMethod } from './methods/threshold.js';

export type { MethodDefinition, MethodId, MethodNeeds } from './method.js';

export const METHODS = {
  ann: annMethod,
  threshold: thresholdMethod,
  fs: fsMethod,
  diet: dietMethod,
  hybrid: hybridMethod,
  general: generalMethod,
} as const satisfies { [K in MethodId]: MethodDefinition };

/** Every registered method id, in the registry's order. */
export const METHOD_IDS = Object.keys(METHODS) as MethodId[];

/** The parsed config of method `M` (every default filled in). */
export type MethodConfig<M extends MethodId = MethodId> = z.infer<(typeof METHODS)[M]['schema']>;
/** What a caller may give as the config of method `M` (omitted fields take their defaults). */
export type MethodConfigInput<M extends MethodId = MethodId> = z.input<(typeof METHODS)[M]['schema']>;

export function getMethod(id: string): MethodDefinition {
  const m = (METHODS as Record<string, MethodDefinition>)[id];
  if (m === undefined) throw new Error(`unknown method '${id}' (methods: ${METHOD_IDS.join(', ')})`);
  return m;
}
