import type { ScheduleSpec } from '@spikelite/schemas';

/** Learning rate of epoch `epoch` (0-based), PyTorch semantics (see the ScheduleSpec docs). */
export function learningRate(schedule: ScheduleSpec, baseLr: number, epoch: number, totalEpochs: number): number {
  switch (schedule.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * schedule.gamma ** schedule.milestones.filter((m) => m <= epoch).length;
    case 'cosine': {
      const tMax = schedule.tMax ?? Math.max(totalEpochs, 1);
      return schedule.etaMin + ((baseLr - schedule.etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
    }
  }
}
