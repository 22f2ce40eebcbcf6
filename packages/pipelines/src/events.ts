/** What a run tells its caller while it works (a CLI turns these into lines and progress bars). */
import type { TrainEvent } from '@spikelite/training';

export type PipelineEvent =
  /** A line for people: what a stage decided or measured. */
  | { type: 'log'; message: string }
  /** Progress of a training stage ('ann' or 'snn'): batches, epoch metrics, checkpoints. */
  | { type: 'train'; stage: string; event: TrainEvent }
  /** Progress of an evaluation: images done of total. */
  | { type: 'evaluate'; done: number; total: number }
  /** Progress of reading image files (folder:/list: datasets): images decoded of a split. */
  | { type: 'data'; split: 'train' | 'test'; done: number; total: number };

export type PipelineEventHandler = (e: PipelineEvent) => void;
