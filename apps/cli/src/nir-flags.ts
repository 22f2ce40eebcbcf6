/** `--dt S` and `--convention C`: how a NIR file's continuous-time neurons step (see @spikelite/nir's README). */
import { NIR_CONVENTIONS, type NirConvention } from '@spikelite/schemas';
import { choiceFlag, numberFlag, type FlagSpec } from './args.js';

export const NIR_FLAGS = { dt: { type: 'string' }, convention: { type: 'string' } } as const satisfies FlagSpec;

export const NIR_HELP = `  --dt S               seconds per step (NIR files do not store it; e.g. 1e-4 for lif_norse.nir)
  --convention C       whose reading of (tau, r) to follow: ${NIR_CONVENTIONS.join(', ')} (default nir; snntorch implies dt 1e-4)`;

/** The flags' values as runNirFile's / exportSnnToNirFile's options. */
export function nirFlags(f: Record<string, unknown>): { dt?: number; convention?: NirConvention } {
  const dt = numberFlag('dt', f.dt as string | undefined, { positive: true });
  const convention = choiceFlag('convention', f.convention as string | undefined, NIR_CONVENTIONS);
  return { ...(dt !== undefined ? { dt } : {}), ...(convention !== undefined ? { convention } : {}) };
}
