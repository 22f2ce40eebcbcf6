import { imageInput } from '@spikelite/schemas';
/**
 * `spikelite compare`: the main job. One pretrained ANN (an ONNX file; by default the
 * Fashion-MNIST CNN shipped in tooling/fixtures/onnx) converted with every conversion method
 * (threshold, diet, fs, hybrid) and, next to them, the one-timestep general SNN trained
 * briefly on the same architecture; every SNN evaluated on the same test images as the ANN
 * (onnxruntime). Prints a comparison table and writes, under --out, one RunReport per method,
 * the sweeps (accuracy against T or K), spike rasters, bundle.json and report.html.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConversionError, convert, sweep, type ConvertOptions, type SweepRow } from '@spikelite/conversion';
import { epochOrder, subset, takeFirst } from '@spikelite/data';
import { createRng } from '@spikelite/engine';
import { Network, type SnnModel } from '@spikelite/models';
import { importOnnx, networkFromImport, OnnxImportError } from '@spikelite/onnx';
import type { ConversionRecipeInput, RunReport } from '@spikelite/schemas';
import { intFlag, parseFlags } from '../args.js';
import { CliError } from '../errors.js';
import { recordRaster, renderHtmlReport, type ReportBundle } from '../html-report/index.js';
import { trainProgress, type TrainFlags } from '../methods/context.js';
import { trainGeneral } from '../methods/general.js';
import { buildReport, conversionReport } from '../report.js';
import { imageTensor, openDataset, startEngine, stderrLog } from '../setup.js';
import { onnxAccuracy } from './convert.js';

/** The ANN the main job starts from: made by tooling/fixtures/onnx/make_fixtures.py (PyTorch). */
export const SHIPPED_ANN = fileURLToPath(new URL('../../../../tooling/fixtures/onnx/fmnist-cnn-bn.onnx', import.meta.url));

const METHODS = ['threshold', 'diet', 'fs', 'hybrid', 'general'] as const;
type CompareMethod = (typeof METHODS)[number];

export const COMPARE_HELP = `spikelite compare — the main job: one ANN, every SNN method, one table and an HTML report

Imports an ONNX ANN, converts it with threshold, diet (fine-tuned), fs and hybrid (fine-tuned), trains
the one-timestep general SNN briefly on the same architecture, evaluates all of them on the same test
images as the ANN (onnxruntime), prints a table and writes <out>/report.html.

  --onnx FILE            the ANN (default: the shipped Fashion-MNIST CNN, tooling/fixtures/onnx/fmnist-cnn-bn.onnx)
  --data <name|dir>      fashion-mnist (default; the shipped 6,000/1,000 subset when Debian's set is absent)
  --methods a,b,…        subset of ${METHODS.join(',')} (default: all)
  --timesteps T          T of threshold, diet and hybrid (default 5)
  --limit-train N        training images for fine-tuning and the general SNN (default 6000)
  --limit-test N         test images (default: all available: 10,000 with Debian's set, 1,000 shipped)
  --finetune-epochs N    diet/hybrid fine-tune epochs (default 1)
  --general-epochs N     epochs of the general SNN from scratch (default 3)
  --sweep-images N       test images per point of the accuracy-vs-T sweeps (default 1000)
  --calib N              calibration images (default 512)
  --seed S               seed (default 0)
  --out DIR              where reports go (default runs/compare)
  --backend B            tensorflow | wasm | cpu (default: best available)
  --json                 print { table, out } on stdout

Examples:
  spikelite compare
  spikelite compare --methods threshold,fs --limit-test 2000 --out runs/quick
  spikelite compare --onnx my-fmnist.onnx --timesteps 3 --finetune-epochs 2`;

const FLAGS = {
  onnx: { type: 'string' }, data: { type: 'string' }, methods: { type: 'string' }, timesteps: { type: 'string' },
  'limit-train': { type: 'string' }, 'limit-test': { type: 'string' }, 'finetune-epochs': { type: 'string' },
  'general-epochs': { type: 'string' }, 'sweep-images': { type: 'string' }, calib: { type: 'string' }, seed: { type: 'string' },
  out: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export interface CompareRow {
  method: CompareMethod | 'ann';
  steps: string;
  accuracy: number;
  spikesPerNeuron: number | null;
  energyRatio: number | null;
  wallS: number;
}

function methodsFlag(raw: string | undefined): CompareMethod[] {
  if (raw === undefined) return [...METHODS];
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = list.filter((m) => !(METHODS as readonly string[]).includes(m));
  if (list.length === 0 || bad.length > 0) throw new CliError(`--methods: expected a comma-separated subset of ${METHODS.join(',')}, got '${raw}'`);
  return [...new Set(list)] as CompareMethod[];
}

/** The table, as people read it. */
export function formatTable(rows: CompareRow[]): string {
  const head = ['method', 'T/K', 'accuracy', 'spikes/neuron', 'energy ANN/SNN', 'wall'];
  const cells = rows.map((r) => [
    r.method, r.steps, `${(r.accuracy * 100).toFixed(2)}%`,
    r.spikesPerNeuron === null ? '-' : r.spikesPerNeuron.toFixed(3),
    r.energyRatio === null ? '1 (reference)' : `${r.energyRatio.toFixed(2)}x`,
    `${r.wallS.toFixed(0)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export async function compareCommand(argv: string[]): Promise<Record<string, unknown> | null> {
  const { values: f } = parseFlags(argv, FLAGS);
  if (f.help) {
    process.stdout.write(`${COMPARE_HELP}\n`);
    return null;
  }
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  const onnx = f.onnx ?? SHIPPED_ANN;
  if (!existsSync(onnx)) throw new CliError(`--onnx: ${onnx}: file not found`);
  const methods = methodsFlag(f.methods);
  const T = intFlag('timesteps', f.timesteps, { min: 1, fallback: 5 })!;
  const limitTrain = intFlag('limit-train', f['limit-train'], { min: 1, fallback: 6000 })!;
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  const finetuneEpochs = intFlag('finetune-epochs', f['finetune-epochs'], { min: 0, fallback: 1 })!;
  const generalEpochs = intFlag('general-epochs', f['general-epochs'], { min: 1, fallback: 3 })!;
  const sweepImages = intFlag('sweep-images', f['sweep-images'], { min: 1, fallback: 1000 })!;
  const calib = intFlag('calib', f.calib, { min: 1, fallback: 512 })!;
  const seed = intFlag('seed', f.seed, { min: 0, fallback: 0 })!;
  const out = f.out ?? join('runs', 'compare');

  let imported;
  try {
    imported = importOnnx(onnx);
  } catch (e) {
    if (e instanceof OnnxImportError) throw new CliError(e.message);
    throw e;
  }
  const engine = await startEngine(f.backend, log);
  const data = await openDataset(f.data ?? 'fashion-mnist', { limitTrain, ...(limitTest !== undefined ? { limitTest } : {}) }, log);
  const inp = imageInput(imported.spec.input, 'this ONNX model');
  if (inp.channels !== data.train.channels || inp.height !== data.train.height || inp.width !== data.train.width) {
    throw new CliError(`--onnx: ${onnx} takes ${inp.channels}×${inp.height}×${inp.width} images but ${data.name} has ${data.train.channels}×${data.train.height}×${data.train.width}`);
  }
  await mkdir(out, { recursive: true });
  const dataset = { name: data.name, trainSize: data.train.count, testSize: data.test.count };
  log.info(`compare: ${onnx} on ${data.name} (${data.train.count} train / ${data.test.count} test images), methods ${methods.join(', ')}, T = ${T}`);

  const tAnn = performance.now();
  const annAccuracy = await onnxAccuracy(onnx, data.test);
  const rows: CompareRow[] = [{ method: 'ann', steps: '-', accuracy: annAccuracy, spikesPerNeuron: null, energyRatio: null, wallS: (performance.now() - tAnn) / 1000 }];
  log.info(`ANN (onnxruntime): ${(annAccuracy * 100).toFixed(2)}%`);

  const net = networkFromImport(imported);
  const order = epochOrder(data.train.count, createRng(seed + 1));
  const calibSet = takeFirst(subset(data.train, Array.from(order)), Math.min(calib, data.train.count));
  const calibImages = imageTensor(calibSet);
  const sweepSet = takeFirst(data.test, Math.min(sweepImages, data.test.count));
  // Two test images for the rasters: the first of two different classes.
  const rasterIdx = [0, Array.from(data.test.labels).findIndex((l) => l !== data.test.labels[0])].filter((i) => i >= 0);
  const pixels = data.test.height * data.test.width * data.test.channels;
  const rasterImage = (i: number) => data.test.images.subarray(i * pixels, (i + 1) * pixels);

  const reports: RunReport[] = [];
  const sweeps: ReportBundle['sweeps'] = [];
  const rasters: ReportBundle['rasters'] = [];
  const baseOptions: ConvertOptions = { calibrationImages: calibImages, log: (m) => log.info(`  ${m}`), maxPool: 'keep', calibrationMode: 'ann' };

  const record = async (method: CompareMethod, report: RunReport, snn: SnnModel, steps: string, wallMs: number) => {
    reports.push(report);
    rows.push({ method, steps, accuracy: report.accuracy, spikesPerNeuron: report.spikes.perNeuron, energyRatio: report.energy.ratio, wallS: wallMs / 1000 });
    await writeFile(join(out, `${method}.json`), JSON.stringify(report, null, 1));
    for (const i of rasterIdx) rasters.push(recordRaster(snn, rasterImage(i), data.test.labels[i]!, { method, seed }));
    log.info(`${method}: ${(report.accuracy * 100).toFixed(2)}% (ANN ${(annAccuracy * 100).toFixed(2)}%), ${report.spikes.perNeuron.toFixed(3)} spikes/neuron, energy ANN/SNN ${report.energy.ratio.toFixed(2)}x (${(wallMs / 1000).toFixed(0)} s)`);
  };

  try {
    for (const method of methods) {
      const tm = performance.now();
      if (method === 'general') {
        // `train --method general` from scratch (its default, METHODS.md) on the ANN's architecture.
        const gnet = Network.create(imported.spec, { seed });
        const flags: TrainFlags = {
          timesteps: 1, epochs: generalEpochs, annEpochs: 0, batch: 64, seed, lr: undefined, annLr: 1e-3,
          calib, calibSteps: 100, scale: undefined, init: 'scratch',
        };
        log.info(`general: training from scratch for ${generalEpochs} epoch(s) on ${data.train.count} images, T = 1`);
        const { result: g, snn } = await trainGeneral({ flags, data, spec: imported.spec, net: gnet, engine, dirs: {}, log });
        try {
          const report = buildReport({
            command: 'train', method: 'general', dataset, timesteps: g.timesteps, backend: engine.backend, result: g.result,
            annAccuracy, graph: gnet.graph, input: g.input, gradedSpikes: g.gradedSpikes, wallMs: performance.now() - tm,
          });
          await record(method, report, snn, '1', performance.now() - tm);
        } finally {
          snn.dispose();
          gnet.dispose();
        }
        continue;
      }
      const recipe: ConversionRecipeInput =
        method === 'fs' ? { kind: 'fs' }
          : method === 'threshold' ? { kind: 'threshold', timesteps: T }
            : { kind: method, timesteps: T, finetuneEpochs };
      log.info(`${method}: converting`);
      const result = await convert(net, recipe, {
        ...baseOptions,
        ...(method === 'diet' || method === 'hybrid' ? { finetune: { train: data.train, test: data.test, seed, onEvent: trainProgress(log, `${method} fine-tune`) } } : {}),
      });
      try {
        const report = conversionReport(result, data.test, { method, dataset, backend: engine.backend, annAccuracy, startedAt: tm });
        await record(method, report, result.snn, String(result.info.steps), performance.now() - tm);
      } finally {
        result.dispose();
      }
      // Accuracy against T (K for fs) for the recipes that need no training: cheap to sweep.
      if (method === 'threshold' || method === 'fs') {
        const steps = method === 'fs' ? [4, 6, 8, 10] : [1, 2, 3, 5, 8, 16];
        log.info(`${method}: sweeping ${method === 'fs' ? 'K' : 'T'} = ${steps.join(', ')} on ${sweepSet.count} test images`);
        const rowsOut: SweepRow[] = await sweep(net, recipe, steps, { ...baseOptions, log: () => {}, test: sweepSet });
        sweeps.push({ method, stepsLabel: method === 'fs' ? 'K' : 'T', rows: rowsOut.map((r) => ({ steps: r.steps, accuracy: r.accuracy, spikesPerNeuron: r.spikesPerNeuron, energyRatio: r.energy.ratio })) });
      }
    }
  } catch (e) {
    if (e instanceof ConversionError) throw new CliError(`${onnx}: ${e.message}`);
    throw e;
  } finally {
    calibImages.dispose();
    net.dispose();
    log.done();
  }

  const bundle: ReportBundle = {
    kind: 'spikelite-report', version: 1,
    title: `spikelite: ${onnx.split('/').pop()} on ${data.name}`,
    createdAt: new Date().toISOString(),
    dataset, ann: { accuracy: annAccuracy, source: onnx }, runs: reports, sweeps, rasters,
  };
  await writeFile(join(out, 'bundle.json'), JSON.stringify(bundle));
  const html = join(out, 'report.html');
  await writeFile(html, renderHtmlReport(bundle));
  const table = formatTable(rows);
  if (f.json !== true) process.stdout.write(`\n${table}\n\nreport: ${html}\n`);
  log.info(`compare: done in ${((performance.now() - t0) / 1000).toFixed(0)} s (backend ${engine.backend})`);
  return f.json === true ? { table: rows, out, report: html, wallMs: Math.round(performance.now() - t0) } : null;
}
