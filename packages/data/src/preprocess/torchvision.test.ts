/**
 * Decoding + preprocessing against torchvision 0.14 on PIL images (Pillow 9.4), on the
 * synthetic images and expected tensors of tooling/fixtures/folder (make_fixtures.py).
 *
 * Tolerance: lossless files (PNG, lossless WebP) must match exactly. Lossy ones (JPEG, lossy
 * WebP) may differ by one 8-bit level before toTensor (1/255, or 1/(255·std) after Normalize)
 * because sharp's decoders (mozjpeg, libwebp 1.6) are not Pillow's (libjpeg-turbo, libwebp
 * 1.2). Measured with sharp 0.35.6: no difference at all; the test prints nothing then.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../folder/decode.js';
import { scanImageFolder } from '../folder/scan.js';
import { cropImage, hflipImage } from './geometry.js';
import { compilePreprocess } from './pipeline.js';
import { resizeImage } from './resample.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../tooling/fixtures/folder');

interface Output {
  file: string;
  expected: string;
  shape: [number, number, number];
}
interface Manifest {
  images: { file: string; width: number; height: number; mode: string }[];
  imageFolder: { classes: string[]; samples: [string, number][] };
  pipelines: Record<string, { preprocess: unknown; outputs: Output[] }>;
  resizedCropFlip: (Output & { box: { top: number; left: number; height: number; width: number }; size: [number, number] })[];
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;

/** The expected tensor, CHW float32 (u8 files hold tensor * 255). */
function expected(o: Output): Float32Array {
  const bytes = readFileSync(join(FIXTURES, 'expected', o.expected));
  if (o.expected.endsWith('.u8')) return Float32Array.from(bytes, (v) => v / 255);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

const lossy = (file: string): boolean => file.endsWith('.jpg') || (file.endsWith('.webp') && !file.includes('lossless'));

/** Largest |ours - theirs| over HWC ours and CHW theirs. */
function maxDiff(ours: Float32Array, theirs: Float32Array, [c, h, w]: [number, number, number]): number {
  expect(ours.length).toBe(theirs.length);
  let max = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) max = Math.max(max, Math.abs(ours[(y * w + x) * c + k]! - theirs[(k * h + y) * w + x]!));
    }
  }
  return max;
}

/** One 8-bit level in the units of the pipeline's output (after Normalize: / std). */
function level(pre: ReturnType<typeof compilePreprocess>): number {
  const norm = pre.spec.steps.find((s) => s.kind === 'normalize');
  return norm?.kind === 'normalize' ? 1 / 255 / Math.min(...norm.std) + 1e-6 : 1 / 255 + 1e-7;
}

describe('preprocessing matches torchvision on PIL images', () => {
  for (const [name, p] of Object.entries(manifest.pipelines)) {
    it(`${name}: ${p.outputs.length} images`, async () => {
      const pre = compilePreprocess(p.preprocess as never);
      for (const o of p.outputs) {
        const img = await decodeImageFile(join(FIXTURES, 'images', o.file));
        const out = pre.run(img);
        expect([out.channels, out.height, out.width], o.file).toEqual(o.shape);
        const diff = maxDiff(out.data, expected(o), o.shape);
        expect(diff, `${name} ${o.file}`).toBeLessThanOrEqual(lossy(o.file) ? level(pre) : 0);
      }
    });
  }

  it('resized crop + horizontal flip with fixed boxes (F.resized_crop, F.hflip)', async () => {
    for (const o of manifest.resizedCropFlip) {
      const img = await decodeImageFile(join(FIXTURES, 'images', o.file));
      const { top, left, height, width } = o.box;
      const out = hflipImage(resizeImage(cropImage(img, top, left, height, width), o.size[1], o.size[0]));
      const f = Float32Array.from(out.data, (v) => v / 255);
      const d = maxDiff(f, expected(o), o.shape);
      expect(d, o.file).toBeLessThanOrEqual(lossy(o.file) ? 1 / 255 + 1e-7 : 0);
    }
  });

  it('lists the folder as torchvision.datasets.ImageFolder does (classes, samples, order)', async () => {
    const scan = await scanImageFolder(join(FIXTURES, 'images'));
    expect(scan.classes).toEqual(manifest.imageFolder.classes);
    expect(scan.samples.map((s) => [s.file.slice(join(FIXTURES, 'images').length + 1), s.label])).toEqual(
      manifest.imageFolder.samples,
    );
  });
});
