import { createRng } from '@spikelite/engine';
import { describe, expect, it } from 'vitest';
import { centerCropImage, randomResizedCropBox, resizedSize, roundHalfEven } from './geometry.js';
import type { U8Image } from './image.js';
import { compilePreprocess } from './pipeline.js';
import { resizeImage } from './resample.js';

const ramp = (width: number, height: number, channels = 1): U8Image => ({
  data: Uint8Array.from({ length: width * height * channels }, (_, i) => i % 251),
  width,
  height,
  channels,
});

describe('sizes and crops (hand-worked, as torchvision computes them)', () => {
  it('resizes the shorter side and truncates the longer: 500x375 -> 341x256', () => {
    expect(resizedSize(375, 500, 256)).toEqual([256, 341]); // int(256 * 500 / 375) = int(341.33)
    expect(resizedSize(500, 375, 256)).toEqual([341, 256]);
    expect(resizedSize(300, 300, 7)).toEqual([7, 7]);
    expect(resizedSize(100, 400, 64, 200)).toEqual([50, 200]); // longer capped: int(200 * 64 / 256) = 50
    expect(resizedSize(10, 20, [3, 4])).toEqual([3, 4]);
  });

  it("rounds crop offsets half to even, as Python's round()", () => {
    expect([0.5, 1.5, 2.5, 81.5, 3.4, 3.6].map(roundHalfEven)).toEqual([0, 2, 2, 82, 3, 4]);
    // 5 -> 2 rows: (5 - 2) / 2 = 1.5 rounds to 2; 4 -> 1 column: 1.5 rounds to 2.
    const img = ramp(4, 5);
    const c = centerCropImage(img, 2, 1);
    expect(Array.from(c.data)).toEqual([img.data[2 * 4 + 2], img.data[3 * 4 + 2]]);
  });

  it('pads a crop larger than the image with zeros, (crop - size) // 2 before', () => {
    const img: U8Image = { data: Uint8Array.of(1, 2, 3, 4), width: 2, height: 2, channels: 1 };
    // 2x2 -> 3x5: top pad 0, bottom 1; left pad 1, right 2.
    expect(Array.from(centerCropImage(img, 3, 5).data)).toEqual([0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('resizes a constant image to the same constant and keeps 1:1 sizes untouched', () => {
    const flat: U8Image = { data: new Uint8Array(30 * 20 * 3).fill(77), width: 30, height: 20, channels: 3 };
    for (const f of ['bilinear', 'bicubic'] as const) {
      const r = resizeImage(flat, 7, 11, f);
      expect([r.width, r.height]).toEqual([7, 11]);
      expect(r.data.every((v) => v === 77)).toBe(true);
    }
    expect(resizeImage(flat, 30, 20)).toBe(flat);
  });

  it('draws RandomResizedCrop boxes inside the image within the scale and ratio ranges, and falls back to the centre', () => {
    const rng = createRng(9);
    for (let i = 0; i < 200; i++) {
      const b = randomResizedCropBox(120, 200, [0.08, 1], [3 / 4, 4 / 3], rng);
      expect(b.top >= 0 && b.left >= 0 && b.top + b.height <= 120 && b.left + b.width <= 200).toBe(true);
      const area = (b.height * b.width) / (120 * 200);
      expect(area).toBeGreaterThan(0.06);
      expect(area).toBeLessThanOrEqual(1);
      expect(b.width / b.height).toBeGreaterThan(0.7);
      expect(b.width / b.height).toBeLessThan(1.45);
    }
    // scale > 1 can never fit: the fallback. 200 wide / 50 high = 4 > 4/3: h = 50, w = round(50 * 4/3) = 67.
    expect(randomResizedCropBox(50, 200, [2, 3], [3 / 4, 4 / 3], createRng(1))).toEqual({ top: 0, left: 66, height: 50, width: 67 });
    expect(randomResizedCropBox(90, 100, [2, 3], [3 / 4, 4 / 3], createRng(1))).toEqual({ top: 0, left: 0, height: 90, width: 100 });
    // Equal seeds, equal boxes.
    expect(randomResizedCropBox(64, 64, [0.08, 1], [0.75, 1.33], createRng(4))).toEqual(
      randomResizedCropBox(64, 64, [0.08, 1], [0.75, 1.33], createRng(4)),
    );
  });
});

describe('compilePreprocess', () => {
  it('knows the output size, channels and the cacheable head', () => {
    const imagenet = compilePreprocess('imagenet');
    expect(imagenet.fixedSize).toEqual([224, 224]);
    expect(imagenet.channels).toBe(3);
    expect(imagenet.random).toBe(false);
    expect(imagenet.prefixLength).toBe(4);
    expect(imagenet.outputSize(375, 500)).toEqual([224, 224]);
    const shorter = compilePreprocess({ steps: [{ kind: 'resize', size: 32 }, { kind: 'grayscale' }, { kind: 'toTensor' }] });
    expect(shorter.fixedSize).toBeUndefined();
    expect(shorter.outputSize(64, 128)).toEqual([32, 64]);
    expect(shorter.channels).toBe(1);
    const train = compilePreprocess({ steps: [{ kind: 'resize', size: 40 }, { kind: 'randomResizedCrop', size: 32 }, { kind: 'randomHorizontalFlip' }, { kind: 'toTensor' }] });
    expect([train.random, train.prefixLength, train.fixedSize]).toEqual([true, 1, [32, 32]]);
    expect(() => train.run(ramp(50, 40, 3))).toThrow('randomResizedCrop is random and needs an rng (pass a seed)');
    const a = train.run(ramp(50, 40, 3), createRng(2));
    expect(train.run(ramp(50, 40, 3), createRng(2)).data).toEqual(a.data);
  });

  it('normalizes in float32 as torch does: (x - mean) / std', () => {
    const pre = compilePreprocess({ steps: [{ kind: 'toTensor' }, { kind: 'normalize', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }] });
    const out = pre.run({ data: Uint8Array.of(0, 128, 255), width: 1, height: 1, channels: 3 });
    const f = Math.fround;
    expect(Array.from(out.data)).toEqual([
      f(f(f(0 / 255) - f(0.485)) / f(0.229)),
      f(f(f(128 / 255) - f(0.456)) / f(0.224)),
      f(f(f(255 / 255) - f(0.406)) / f(0.225)),
    ]);
    // The fused table lookup (toTensor + normalize in one) gives what the two steps give apart.
    const img = { data: Uint8Array.from({ length: 256 * 3 }, (_, i) => (i * 7) % 256), width: 16, height: 16, channels: 3 };
    const apart = pre.runSteps(pre.runSteps(img, 0, 1), 1, 2);
    expect(pre.runSteps(img, 0, 2).data).toEqual(apart.data);
    const one = compilePreprocess({ steps: [{ kind: 'grayscale' }, { kind: 'toTensor' }, { kind: 'normalize', mean: [0.5], std: [0.25] }] });
    const grey = one.run({ data: Uint8Array.of(0, 0, 0, 255, 255, 255), width: 2, height: 1, channels: 3 });
    expect(Array.from(grey.data)).toEqual([-2, 2]);
  });
});
