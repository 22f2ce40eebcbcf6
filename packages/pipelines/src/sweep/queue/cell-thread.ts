/**
 * A worker thread that runs cells (see cell-pool.ts): the engine starts once, datasets and model
 * imports are shared by the cells it runs. A run keeps its thread's event loop busy for minutes;
 * the worker's main thread stays free to renew the job's lock on the queue.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initEngine } from '@spikelite/engine';
import { createResources } from '../../resources.js';
import { runMethod } from '../../run.js';
import { cellProgressOf, oneLineError } from '../events.js';
import type { FromThread, ThreadData, ToThread } from './cell-protocol.js';

const port = parentPort!;
const post = (m: FromThread): void => port.postMessage(m);
const { backend } = workerData as ThreadData;

try {
  const engine = await initEngine(backend === undefined ? {} : { backend });
  const resources = createResources();
  port.on('message', (m: ToThread) => {
    void (async () => {
      try {
        const report = await runMethod(m.run, {
          resources,
          onEvent: (e) => {
            const progress = cellProgressOf(e);
            if (progress !== null) post({ type: 'progress', id: m.id, progress });
          },
        });
        post({ type: 'done', id: m.id, report });
      } catch (e) {
        post({ type: 'failed', id: m.id, error: oneLineError(e) });
      }
    })();
  });
  post({ type: 'ready', backend: engine.backend });
} catch (e) {
  post({ type: 'init-failed', error: oneLineError(e) });
}
