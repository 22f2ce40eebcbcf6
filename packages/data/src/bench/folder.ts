/**
 * Decode + preprocess throughput of image folders, printed as one JSON document: 224x224
 * ImageNet preprocessing (Resize(256), CenterCrop(224), ToTensor, Normalize) of JPEGs made by
 * PIL (500 synthetic 500x375 images by default), spikelite (sharp + its own resampling) beside
 * PIL + torchvision on the same files (tooling/bench/folder_preprocess.py, run from here).
 *
 * Usage: node dist/bench/folder.js [--dir /tmp/spikelite-bench-jpegs] [--count 500] [--reps 3]
 * (reps passes of each, alternating with the twin's, best of each: the machine may be shared)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePreprocess } from '../preprocess/pipeline.js';
import { decodeImageFile } from '../folder/decode.js';
import { createImageSource } from '../folder/source.js';
import { loadImageSet } from '../folder/materialise.js';
import { compareCodePoints } from '../folder/order.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const dir = arg('dir', '/tmp/spikelite-bench-jpegs');
const count = Number(arg('count', '500'));
const reps = Number(arg('reps', '3'));
const twin = join(dirname(fileURLToPath(import.meta.url)), '../../../../tooling/bench/folder_preprocess.py');
const python = '/usr/bin/python3';

/** Images per second of one pass of `fn` over n images. */
async function rate(n: number, fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return Math.round((n / ((performance.now() - t0) / 1000)) * 10) / 10;
}

interface TwinResult {
  runner: string;
  versions: Record<string, string>;
  images: number;
  decodeImagesPerS: number;
  decodePreprocessImagesPerS: number;
}

/** One timed pass of the Python twin (which also writes the JPEGs when the folder lacks them). */
function torchvisionPass(): TwinResult {
  const out = execFileSync(python, [twin, dir, '--make', String(count), '--reps', '1'], { encoding: 'utf8' });
  return JSON.parse(out) as TwinResult;
}

async function main(): Promise<void> {
  const havePython = existsSync(python);
  if (!havePython && !existsSync(dir)) throw new Error(`${dir}: no JPEGs and no ${python} (python3-pil, python3-torchvision) to make them`);
  const twins: TwinResult[] = havePython ? [torchvisionPass()] : [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort(compareCodePoints).slice(0, count).map((f) => join(dir, f));
  const pre = compilePreprocess('imagenet');
  const source = createImageSource({ root: dir, samples: files.map((file) => ({ file, label: 0 })), classes: 1, preprocess: pre });
  const decoded = await Promise.all(files.slice(0, 50).map((f) => decodeImageFile(f)));
  await loadImageSet(source, { limit: 20, pick: 'first' }); // warm-up
  const best = { decode: 0, preprocessOnly: 0, c1: 0, c4: 0 };
  // Passes alternate with the twin's, so both see the same load on a shared machine; best of each.
  for (let r = 0; r < reps; r++) {
    best.decode = Math.max(best.decode, await rate(files.length, async () => {
      for (const f of files) await decodeImageFile(f);
    }));
    best.preprocessOnly = Math.max(best.preprocessOnly, await rate(decoded.length, async () => {
      for (const img of decoded) pre.run(img);
    }));
    best.c1 = Math.max(best.c1, await rate(files.length, async () => void (await loadImageSet(source, { concurrency: 1 }))));
    best.c4 = Math.max(best.c4, await rate(files.length, async () => void (await loadImageSet(source, { concurrency: 4 }))));
    if (havePython && r > 0) twins.push(torchvisionPass());
  }
  const torchvision = havePython
    ? {
        ...twins[0]!,
        decodeImagesPerS: Math.max(...twins.map((t) => t.decodeImagesPerS)),
        decodePreprocessImagesPerS: Math.max(...twins.map((t) => t.decodePreprocessImagesPerS)),
      }
    : null;
  console.log(
    JSON.stringify({
      bench: 'folder-decode-preprocess',
      transform: 'imagenet: Resize(256) -> CenterCrop(224) -> ToTensor -> Normalize',
      files: `${files.length} JPEGs of 500x375 in ${dir}`,
      machine: { cpus: cpus().length, node: process.version, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 },
      passes: reps,
      spikelite: {
        runner: 'spikelite (sharp decode, own resampling)',
        images: files.length,
        decodeImagesPerS: best.decode,
        preprocessOnlyImagesPerS: best.preprocessOnly,
        decodePreprocessImagesPerS: { concurrency1: best.c1, concurrency4: best.c4 },
      },
      torchvision,
    }),
  );
}

await main();
