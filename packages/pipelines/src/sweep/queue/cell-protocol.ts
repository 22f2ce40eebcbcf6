/** Messages between a queue worker's main thread and its cell threads (cell-pool.ts, cell-thread.ts). */
import type { BackendName } from '@spikelite/engine';
import type { RunReport } from '@spikelite/schemas';
import type { MethodRun } from '../../run-spec.js';
import type { CellProgress } from '../events.js';

/** The thread's workerData. */
export interface ThreadData {
  /** The tfjs backend (default: the engine's choice, or SPIKELITE_BACKEND). */
  backend?: BackendName | 'auto';
}

export type ToThread = { type: 'run'; id: number; run: MethodRun };

export type FromThread =
  | { type: 'ready'; backend: string }
  | { type: 'init-failed'; error: string }
  | { type: 'progress'; id: number; progress: CellProgress }
  | { type: 'done'; id: number; report: RunReport }
  | { type: 'failed'; id: number; error: string };
