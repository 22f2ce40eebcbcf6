import { describe, expect, it } from 'vitest';
import { formatSummary, importOnnx, summarizeImport } from './index.js';

const DIR = new URL('../../../tooling/fixtures/onnx/', import.meta.url).pathname;

describe('summarizeImport', () => {
  it('fmnist-cnn-bn: hand-counted parameters and MACs', () => {
    const imported = importOnnx(`${DIR}fmnist-cnn-bn.onnx`);
    const s = summarizeImport(imported);
    const conv1 = s.layers[0]!;
    // 3·3·1·16 weights + 16 folded-BN biases; 3·3·1·16 MACs at each of 28·28 outputs.
    expect(conv1).toMatchObject({ path: 'layers.0', kind: 'conv2d', output: [28, 28, 16], params: 160, macs: 3 * 3 * 16 * 28 * 28 });
    expect(s.layers[7]).toMatchObject({ kind: 'linear', output: [128], params: 1568 * 128 + 128, macs: 1568 * 128 });
    expect(s.totalParams).toBe([...imported.weights.values()].reduce((a, v) => a + v.length, 0));
    expect(s.totalMacs).toBe(3 * 3 * 16 * 28 * 28 + 3 * 3 * 16 * 32 * 14 * 14 + 1568 * 128 + 128 * 10);
  });

  it('a graph: one row per layer, adds included, rows add up to the totals', () => {
    const s = summarizeImport(importOnnx(`${DIR}fmnist-resnet-silu.onnx`));
    expect(s.layers.filter((l) => l.kind === 'add')).toHaveLength(2);
    expect(s.layers.every((l) => l.depth === 0)).toBe(true);
    expect(s.layers.reduce((a, l) => a + l.macs, 0)).toBe(s.totalMacs);
    expect(s.layers.reduce((a, l) => a + l.params, 0)).toBe(s.totalParams);
    expect(s.classes).toBe(10);
  });

  it('formatSummary prints one line per layer and the totals', () => {
    const s = summarizeImport(importOnnx(`${DIR}ops-zoo-opset11.onnx`));
    const text = formatSummary(s);
    expect(text.split('\n')).toHaveLength(s.layers.length + 3);
    expect(text).toContain(`total: ${s.totalParams.toLocaleString('en-US')} parameters`);
    expect(text).toContain('final softmax removed (outputs logits)');
  });
});
