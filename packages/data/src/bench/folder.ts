/**
 * Decode + preprocess throughput of image folders, printed as one JSON document: 224x224
 * ImageNet preprocessing (Resize(256), CenterCrop(224), ToTensor, Normalize) of JPEGs made by
 * PIL (500 synthetic 500x375 images by default), spikelite (sharp + its own resampling) beside
 * PIL + torchvision on the same files (tooling/bench/folder_preprocess.py, run from here).
 *
 * Usage: node dist/bench/folder.js [--dir /tmp/spikelite-bench-jpegs] [--count 500] [--reps 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePreprocess } from '../preprocess/pipeline.js';
import { decodeImageFile } from '../folder/decode.js';
import { createImageSource } from '../folder/source.js';
import { loadImageSet } from '../folder/materialise.js';
import { compareCodePoints } from '../folder/order.js';
import { readdirSync } from 'node:fs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const dir = arg('dir', '/tmp/spikelite-bench-jpegs');
const count = Number(arg('count', '500'));
const reps = Number(arg('reps', '3'));
const twin = join(dirname(fileURLToPath(import.meta.url)), '../../../../tooling/bench/folder_preprocess.py');
const python = '/usr/bin/python3';

/** Best-of-reps images per second of `fn` over all files. */
async function rate(n: number, fn: () => Promise<void>): Promise<number> {
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.max(best, n / ((performance.now() - t0) / 1000));
  }
  return Math.round(best * 10) / 10;
}

async function main(): Promise<void> {
  let torchvision: unknown = null;
  if (existsSync(python)) {
    // The twin also writes the JPEGs (PIL) when the folder does not hold enough.
    const out = execFileSync(python, [twin, dir, '--make', String(count), '--reps', String(reps)], { encoding: 'utf8' });
    torchvision = JSON.parse(out);
  } else if (!existsSync(dir)) {
    throw new Error(`${dir}: no JPEGs and no ${python} (python3-pil, python3-torchvision) to make them`);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort(compareCodePoints).slice(0, count).map((f) => join(dir, f));
  const pre = compilePreprocess('imagenet');
  const source = createImageSource({ root: dir, samples: files.map((file) => ({ file, label: 0 })), classes: 1, preprocess: pre });
  const decoded = await Promise.all(files.slice(0, 50).map((f) => decodeImageFile(f)));
  await loadImageSet(source, { limit: 20, pick: 'first' }); // warm-up
  const spikelite = {
    runner: 'spikelite (sharp decode, own resampling)',
    images: files.length,
    decodeImagesPerS: await rate(files.length, async () => {
      for (const f of files) await decodeImageFile(f);
    }),
    preprocessOnlyImagesPerS: await rate(decoded.length, async () => {
      for (const img of decoded) pre.run(img);
    }),
    decodePreprocessImagesPerS: {
      concurrency1: await rate(files.length, async () => void (await loadImageSet(source, { concurrency: 1 }))),
      concurrency4: await rate(files.length, async () => void (await loadImageSet(source, { concurrency: 4 }))),
    },
  };
  console.log(
    JSON.stringify({
      bench: 'folder-decode-preprocess',
      transform: 'imagenet: Resize(256) -> CenterCrop(224) -> ToTensor -> Normalize',
      files: `${files.length} JPEGs of 500x375 in ${dir}`,
      machine: { cpus: cpus().length, node: process.version },
      spikelite,
      torchvision,
    }),
  );
}

await main();
