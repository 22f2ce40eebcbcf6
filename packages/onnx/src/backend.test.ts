/**
 * ONNX's own backend node tests for the operators the importer covers (Debian's
 * libonnx-testdata; `.ci/run` installs it). Each test's model is imported with its first input
 * as the data and the others bound as constants, run, and compared with ONNX's expected
 * outputs. The tests that fail are listed here with why, so a regression or a fix shows.
 */
import { existsSync } from 'node:fs';
import { initEngine } from '@spikelite/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { listedTests, NODE_TESTS, passTable, runNodeTest } from '../test/backend.js';

const present = existsSync(NODE_TESTS);
const ci = process.env['CI'] === 'true';
if (!present && !ci) console.warn(`backend.test: skipping ONNX's node tests: ${NODE_TESTS} is missing (apt-get install libonnx-testdata; with CI=true this fails)`);

/** Expected failures, and why. */
const KNOWN_FAILURES: Record<string, string> = {
  test_averagepool_3d_default: '3-D pooling: spikelite images are 2-D',
  test_maxpool_3d_default: '3-D pooling: spikelite images are 2-D',
  test_batchnorm_epsilon_training_mode: 'training_mode=1 (batch statistics and running-mean outputs): inference graphs only',
  test_batchnorm_example_training_mode: 'training_mode=1: inference graphs only',
  test_training_dropout: 'training-mode dropout draws a random mask',
  test_training_dropout_default: 'training-mode dropout draws a random mask',
  test_training_dropout_default_mask: 'training-mode dropout draws a random mask',
  test_training_dropout_mask: 'training-mode dropout draws a random mask',
  test_maxpool_with_argmax_2d_precomputed_pads: 'the argmax indices output',
  test_maxpool_with_argmax_2d_precomputed_strides: 'the argmax indices output',
  test_div_uint8: 'integer division: integers run as float32 values',
  test_identity_opt: 'an optional value, not a tensor',
  test_identity_sequence: 'a sequence value, not a tensor',
  test_reshape_allowzero_reordered: 'a tensor with a zero-size axis',
};

describe.skipIf(!present && !ci)("ONNX's backend node tests (libonnx-testdata)", () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('at least 90 % of the node tests of the listed operators pass; the failures are the known ones', () => {
    const tests = listedTests();
    expect(tests.length).toBeGreaterThan(150);
    const results = tests.map(({ test, op }) => runNodeTest(test, op));
    console.log(passTable(results));
    const failed = results.filter((r) => !r.ok);
    for (const r of failed) if (!(r.test in KNOWN_FAILURES)) console.error(`${r.test}: ${r.reason}`);
    expect(failed.map((r) => r.test).sort()).toEqual(Object.keys(KNOWN_FAILURES).sort());
    expect(results.filter((r) => r.ok).length / results.length).toBeGreaterThanOrEqual(0.9);
    // Both readings of a graph occur: its first axis as the batch, and the whole graph as one sample.
    expect(new Set(results.filter((r) => r.ok).map((r) => r.mode))).toEqual(new Set(['leading', 'none']));
  }, 600_000);
});
