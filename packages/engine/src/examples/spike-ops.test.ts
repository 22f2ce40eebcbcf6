import { describe, expect, it } from 'vitest';
import { spikeOpsExample } from './spike-ops.js';

describe('README example (src/examples/spike-ops.ts)', () => {
  it('runs: event-driven, the same as tf.conv2d', async () => {
    const r = await spikeOpsExample();
    expect(r.path).toBe('event-driven');
    expect(r.density).toBeGreaterThan(0.03);
    expect(r.density).toBeLessThan(0.07);
    expect(r.maxDiff).toBeLessThan(1e-5);
  });
});
