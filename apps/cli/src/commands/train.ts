/**
 * `spikelite train`: a method of @spikelite/pipelines on a model trained here from a preset or
 * ModelSpec (its ANN stage first, where the method converts one).
 */
import { PRESET_NAMES } from '@spikelite/models';
import type { RunReport } from '@spikelite/schemas';
import { runMethodCommand, RUN_FLAGS_HELP } from '../method-command.js';
import { methodsHelp } from '../method-flags.js';
import { modelRef } from '../setup.js';

export const TRAIN_HELP = `spikelite train — train a model from a preset or ModelSpec with one of the methods

  --model <preset|spec.json>   ${PRESET_NAMES.join(', ')} (default fmnist-small), or a ModelSpec file
${RUN_FLAGS_HELP}

${methodsHelp()}

Progress: a bar per stage on a terminal; into a pipe or with --json, a plain line every 30 s on stderr.

Examples:
  spikelite train --method diet --epochs 1 --ann-epochs 3 --timesteps 5 --out runs/diet
  spikelite train --method ann --epochs 1 --limit-train 1000 --limit-test 200 --json
  spikelite train --method general --epochs 3 --json`;

export function trainCommand(argv: string[]): Promise<RunReport | Record<string, unknown>> {
  return runMethodCommand(argv, {
    command: 'train', defaultMethod: 'diet', modelFlags: { model: { type: 'string' } },
    model: (f) => modelRef((f.model as string | undefined) ?? 'fmnist-small'),
  });
}
