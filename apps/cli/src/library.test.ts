/**
 * The CLI is a shell: every method run by the built `spikelite` (spawned) gives the RunReport
 * that @spikelite/pipelines gives in-process for the same description — same method, config,
 * model, data (the shipped subset) and seed — up to its wall time.
 */
import { initEngine } from '@spikelite/engine';
import { createResources, runMethod, type MethodRunInput } from '@spikelite/pipelines';
import { RunReport } from '@spikelite/schemas';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_FASHION_MNIST } from './setup.js';
import { BUILD_TIMEOUT_MS, buildCliOnce, onnxFixtures, spawnCli } from './test-support.js';

const CNN = `${onnxFixtures}/fmnist-cnn-bn.onnx`;
const data = { name: SHIPPED_FASHION_MNIST, limitTrain: 200, limitTest: 100 };
const resources = createResources();

beforeAll(async () => {
  buildCliOnce();
  await initEngine({ backend: 'wasm' });
}, BUILD_TIMEOUT_MS);

/** Each case: the command line, and the same run as a description. */
const CASES: Array<[string, string[], MethodRunInput]> = [
  ['ann', ['train', '--method', 'ann', '--epochs', '1'], { method: 'ann', model: { kind: 'preset', name: 'fmnist-small' }, data, config: { epochs: 1 } }],
  ['threshold', ['convert', '--onnx', CNN, '--method', 'threshold', '--calib', '64', '--timesteps', '4'], { method: 'threshold', model: { kind: 'onnx', file: CNN }, data, config: { calib: 64, timesteps: 4 } }],
  ['fs', ['convert', '--onnx', CNN, '--method', 'fs', '--calib', '64'], { method: 'fs', model: { kind: 'onnx', file: CNN }, data, config: { calib: 64 } }],
  ['diet', ['convert', '--onnx', CNN, '--method', 'diet', '--calib', '64', '--seed', '2'], { method: 'diet', model: { kind: 'onnx', file: CNN }, data, config: { calib: 64 }, seed: 2 }],
  ['hybrid', ['convert', '--onnx', CNN, '--method', 'hybrid', '--calib', '64', '--batch', '32'], { method: 'hybrid', model: { kind: 'onnx', file: CNN }, data, config: { calib: 64, batch: 32 } }],
  ['general', ['train', '--method', 'general', '--epochs', '1'], { method: 'general', model: { kind: 'preset', name: 'fmnist-small' }, data, config: { epochs: 1 } }],
];

describe('the CLI and the library give the same RunReport', () => {
  it.each(CASES)('%s', async (_m, args, run) => {
    const r = spawnCli([...args, '--data', SHIPPED_FASHION_MNIST, '--limit-train', '200', '--limit-test', '100', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const fromCli = RunReport.parse(JSON.parse(r.stdout));
    const fromLibrary = await runMethod(run, { resources });
    expect({ ...fromCli, wallMs: 0 }).toEqual({ ...fromLibrary, wallMs: 0 });
    expect(fromLibrary.method).toBe(run.method);
  }, 300_000);
});
