/**
 * Method config fields: flat zod fields with a help line (zod `.meta`), and their description
 * read back from a schema (`configFields`), so a CLI can make flags and --help from a
 * method's schema, and a sweep can name its axes, without a second list of options.
 */
import { z } from 'zod';

export type FieldKind = 'int' | 'number' | 'boolean' | 'choice';

export interface ConfigField {
  /** The config key (camelCase). */
  name: string;
  kind: FieldKind;
  help: string;
  /** Placeholder of the value in usage text: N, T, X, or the choices joined by '|'. */
  arg: string;
  /** The default, or undefined when the field is optional without one. */
  default: number | string | boolean | undefined;
  /** For 'choice'. */
  choices?: readonly string[];
  /** Smallest value allowed: for 'int' inclusive; for 'number' exclusive unless `minInclusive`. */
  min?: number;
  /** A 'number' field that takes `min` itself (a fraction in [0, 1)). */
  minInclusive?: boolean;
  /** Largest value allowed, exclusive ('number' fields that have one). */
  maxExclusive?: number;
}

interface FieldMeta {
  help: string;
  arg?: string;
  fraction?: boolean;
}

/** An integer field ≥ `min` with a default. */
export function intField(help: string, def: number, min = 0, arg = 'N') {
  return z.int().min(min).default(def).meta({ help, arg });
}

/** An optional integer field ≥ `min` (absent: the method decides). */
export function optionalIntField(help: string, min = 0, arg = 'N') {
  return z.int().min(min).optional().meta({ help, arg });
}

/** A number field > 0 with a default. */
export function positiveField(help: string, def: number, arg = 'X') {
  return z.number().positive().default(def).meta({ help, arg });
}

/** An optional number field > 0 (absent: the method decides). */
export function optionalPositiveField(help: string, arg = 'X') {
  return z.number().positive().optional().meta({ help, arg });
}

export function choiceField<const T extends readonly [string, ...string[]]>(choices: T, def: T[number], help: string) {
  return z.enum(choices).default(def as never).meta({ help, arg: choices.join('|') });
}

/** A fraction in [0, 1) with a default. */
export function fractionField(help: string, def: number, arg = 'X') {
  return z.number().min(0).lt(1).default(def).meta({ help, arg, fraction: true });
}

export function booleanField(help: string, def: boolean) {
  return z.boolean().default(def).meta({ help, arg: 'true|false' });
}

/** Unwraps default/optional layers: the base schema, its default and whether it may be absent. */
function unwrap(schema: z.ZodType): { base: z.ZodType; def: unknown; optional: boolean } {
  let s = schema;
  let def: unknown;
  let optional = false;
  for (;;) {
    if (s instanceof z.ZodDefault) {
      def = s.def.defaultValue;
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodOptional) {
      optional = true;
      s = s.unwrap() as z.ZodType;
    } else return { base: s, def, optional };
  }
}

/** The fields of a method config schema, in declaration order. */
export function configFields(schema: z.ZodObject): ConfigField[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const meta = ((field as z.ZodType).meta() ?? {}) as Partial<FieldMeta>;
    const { base, def } = unwrap(field as z.ZodType);
    const help = meta.help ?? name;
    const value = def as ConfigField['default'];
    if (base instanceof z.ZodEnum) {
      const choices = base.options.map(String);
      return { name, kind: 'choice', help, arg: meta.arg ?? choices.join('|'), default: value, choices };
    }
    if (base instanceof z.ZodBoolean) return { name, kind: 'boolean', help, arg: meta.arg ?? 'true|false', default: value };
    if (base instanceof z.ZodNumber) {
      const kind: FieldKind = base.isInt ? 'int' : 'number';
      const min = base.minValue ?? undefined;
      const fraction = meta.fraction === true ? { minInclusive: true, maxExclusive: 1 } : {};
      return { name, kind, help, arg: meta.arg ?? (kind === 'int' ? 'N' : 'X'), default: value, ...(min !== undefined && Number.isFinite(min) ? { min } : {}), ...fraction };
    }
    throw new Error(`configFields: field '${name}' is not an int, number, boolean or choice field`);
  });
}
