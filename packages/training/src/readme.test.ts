/**
 * The README's example is examples/readme.ts, verbatim, and it runs: two epochs of the
 * fmnist-small ANN on 1,000 Fashion-MNIST training images, checkpoints in a temporary directory.
 * The reported test accuracy is recomputed here from the checkpoint's weights, by hand.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset } from '@spikelite/data';
import { Network } from '@spikelite/models';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readmeExample } from '../examples/readme.js';
import { loadCheckpoint } from './checkpoint.js';

const runDir = mkdtempSync(join(tmpdir(), 'spikelite-training-readme-'));

afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('README example', () => {
  it('is in the README, verbatim', () => {
    const example = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('trains: the loss falls, accuracy well above chance, and the checkpoint holds the weights that scored it', async () => {
    const lines: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a));
    const result = await readmeExample(runDir);

    expect(result.epochsRun).toBe(2);
    const [first, second] = result.metrics;
    expect(second!.trainLoss!).toBeLessThan(first!.trainLoss!);
    // Chance is 10 %; printed when written: train loss 1.82 then 1.00, test accuracy
    // 57.8 % then 66.4 % (500 test images).
    expect(result.final.accuracy).toBeGreaterThan(0.5);
    expect(lines).toEqual([[first], [second], ['test accuracy', result.final.accuracy]]);

    const ck = await loadCheckpoint(runDir);
    expect(ck.manifest.epoch).toBe(2);
    expect(ck.manifest.method).toBe('ann');
    const net = Network.create(ck.manifest.spec, { seed: 1 });
    for (const { name } of net.params.list()) net.params.assign(name, ck.tensors.get(name)!.values);
    const { test } = await loadDataset('fashion-mnist', { limitTest: 500, limitTrain: 1 });
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(test.images, [test.count, test.height, test.width, test.channels]);
      return tf.argMax(net.forwardAnn(x), 1).dataSync();
    });
    net.dispose();
    const correct = test.labels.reduce((n, label, i) => n + (predicted[i] === label ? 1 : 0), 0);
    expect(test.count).toBe(500);
    expect(result.final.accuracy).toBeCloseTo(correct / 500, 10);
  }, 300_000);
});
