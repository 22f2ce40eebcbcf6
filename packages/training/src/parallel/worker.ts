/**
 * A data-parallel worker thread: builds the target from its recipe, then for every step
 * takes the current weights and a shard of the batch and returns the shard's gradients.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initEngine, setSpikeKernelMode, type BackendName } from '@spikelite/engine';
import type { FromWorker, ToWorker } from './messages.js';
import { buildTarget, type BuiltTarget } from './recipe.js';
import { assignFlat, shardStep } from './shard-step.js';

if (parentPort === null) throw new Error('spikelite data-parallel worker: not started as a worker thread');
const port = parentPort;
let built: BuiltTarget | null = null;
let vars: tf.Variable[] = [];

const send = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: ToWorker) => void handle(m));

async function handle(m: ToWorker): Promise<void> {
  try {
    if (m.type === 'init') {
      const info = await initEngine({ backend: m.backend as BackendName });
      setSpikeKernelMode(m.spikeMode);
      built = buildTarget(m.recipe);
      const state = built.target.state();
      tf.tidy(() => {
        for (const { name, values } of m.state) {
          const v = state.get(name);
          if (v === undefined) throw new Error(`worker: the recipe's target has no state tensor '${name}'`);
          if (v.size !== values.length) throw new Error(`worker: '${name}' has ${v.size} values in the recipe's target, ${values.length} in the main one`);
          v.assign(tf.tensor(values, v.shape));
        }
      });
      const trainable = built.target.trainable();
      vars = m.names.map((n) => {
        const v = trainable.get(n);
        if (v === undefined) throw new Error(`worker: the recipe's target has no trainable '${n}'`);
        return v;
      });
      send({ type: 'ready', backend: info.backend });
    } else if (m.type === 'step') {
      if (built === null) throw new Error('worker: step before init');
      if (m.weights !== null) assignFlat(vars, m.weights);
      const x = tf.tensor(m.x, m.xShape);
      const y = tf.tensor1d(m.y, 'int32');
      const r = shardStep(built.target, vars, x, y, createRng(m.seed));
      tf.dispose([x, y]);
      send({ type: 'grads', id: m.id, ...r }, [r.grads.buffer as ArrayBuffer]);
    } else if (m.type === 'predict') {
      if (built === null) throw new Error('worker: predict before init');
      if (m.weights !== null) assignFlat(vars, m.weights);
      const x = tf.tensor(m.x, m.xShape);
      const out = built.logits(x);
      const logits = Float32Array.from(out.dataSync());
      const shape = out.shape;
      tf.dispose([x, out]);
      send({ type: 'logits', id: m.id, logits, shape }, [logits.buffer as ArrayBuffer]);
    } else {
      built?.dispose();
      port.close();
    }
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}
