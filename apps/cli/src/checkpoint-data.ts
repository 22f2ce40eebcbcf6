/**
 * The data a checkpoint is measured on (`eval`, `energy`, `export`'s check): the data flags,
 * with the checkpoint's own transform when --transform is not given (so evaluation applies
 * what training applied), its timesteps as the bins of event data (a frames model reads one
 * frame per step), and its classes as the labels allowed.
 */
import type { Dataset } from '@spikelite/data';
import { specClasses, type DataRef } from '@spikelite/pipelines';
import type { LoadedCheckpoint } from '@spikelite/training';
import { dataRefFlags } from './data-flags.js';
import { openDataset, type Log } from './setup.js';

const stepsOf = (p: NonNullable<DataRef['preprocess']>): string => JSON.stringify(p.steps);

export function checkpointDataRef(f: Record<string, unknown>, ck: LoadedCheckpoint, o: { limitTest?: number | undefined; timesteps: number }, log: Log): DataRef {
  const m = ck.manifest;
  const ref = dataRefFlags(f, { limitTrain: 1, limitTest: o.limitTest, transform: m.preprocess, bins: m.encoding?.kind === 'frames' ? o.timesteps : undefined });
  if (f.transform !== undefined && m.preprocess !== undefined && ref.preprocess !== undefined && stepsOf(ref.preprocess) !== stepsOf(m.preprocess)) {
    log.info(`note: --transform differs from the transform the checkpoint was trained with (${m.preprocess.name ?? m.preprocess.steps.map((s) => s.kind).join(' → ')})`);
  } else if (f.transform === undefined && ref.preprocess !== undefined) {
    log.info(`transform: the checkpoint's (${ref.preprocess.name ?? ref.preprocess.steps.map((s) => s.kind).join(' → ')})`);
  }
  return ref;
}

/** `checkpointDataRef`'s data, loaded: labels must be below the checkpoint's classes. */
export async function openCheckpointData(ref: DataRef, ck: LoadedCheckpoint, log: Log): Promise<Dataset> {
  const classes = specClasses(ck.manifest.spec);
  return openDataset(ref, log, classes !== undefined ? { classes } : {});
}
