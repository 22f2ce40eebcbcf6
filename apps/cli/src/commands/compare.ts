/**
 * `spikelite compare`: the main job. One pretrained ANN (an ONNX file; by default the
 * Fashion-MNIST CNN shipped in tooling/fixtures/onnx) run through every registered method of
 * @spikelite/pipelines on the same data and seed: the ANN itself (the reference, evaluated by
 * onnxruntime), the conversions, and the general SNN trained on the same architecture. Prints a
 * table and writes, under --out, one RunReport per SNN method, the sweeps of the methods that
 * train nothing (accuracy against T or K), spike rasters, bundle.json and report.html.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createResources, getMethod, METHOD_IDS, openRunData, runMethod, sweepMethod, type DataRef, type MethodId } from '@spikelite/pipelines';
import type { RunReport } from '@spikelite/schemas';
import { intFlag, parseFlags } from '../args.js';
import { DATA_FLAGS, dataHelp, dataRefFlags, withTransformNormalization } from '../data-flags.js';
import { CliError } from '../errors.js';
import { ONNX_INPUT_FLAGS, ONNX_INPUT_HELP, onnxInputFlags } from '../onnx-flags.js';
import { recordRaster, renderHtmlReport, type ReportBundle } from '../html-report/index.js';
import { METHOD_FLAGS, methodConfig } from '../method-flags.js';
import { openDataRef, pipelineLog, startEngine, stderrLog } from '../setup.js';

/** The ANN the main job starts from: made by tooling/fixtures/onnx/make_fixtures.py (PyTorch). */
export const SHIPPED_ANN = fileURLToPath(new URL('../../../../tooling/fixtures/onnx/fmnist-cnn-bn.onnx', import.meta.url));

interface PlanOptions {
  timesteps: number;
  finetuneEpochs: number;
  generalEpochs: number;
  calib: number;
}

/**
 * The comparison: every registered method, with what the job's flags set in its config (the
 * rest are the method's defaults). The first is the reference every SNN is measured against.
 */
const PLAN: { [M in MethodId]: (o: PlanOptions) => Record<string, unknown> } = {
  ann: () => ({}),
  threshold: (o) => ({ timesteps: o.timesteps, calib: o.calib }),
  diet: (o) => ({ timesteps: o.timesteps, epochs: o.finetuneEpochs, calib: o.calib }),
  fs: (o) => ({ calib: o.calib }),
  hybrid: (o) => ({ timesteps: o.timesteps, epochs: o.finetuneEpochs, calib: o.calib }),
  general: (o) => ({ epochs: o.generalEpochs, calib: o.calib }),
};
const [REFERENCE, ...SNN_METHODS] = Object.keys(PLAN) as MethodId[];

export const COMPARE_HELP = `spikelite compare — the main job: one ANN, every SNN method, one table and an HTML report

Imports an ONNX ANN and runs every registered method on it with the same data and seed:
${SNN_METHODS.map((m) => `  ${m.padEnd(10)} ${getMethod(m).about}`).join('\n')}
Every SNN is evaluated on the same test images as the ANN (onnxruntime); prints a table and
writes <out>/report.html.

  --onnx FILE            the ANN (default: the shipped Fashion-MNIST CNN, tooling/fixtures/onnx/fmnist-cnn-bn.onnx)
${ONNX_INPUT_HELP}
${dataHelp(25)}
  --methods a,b,…        subset of ${SNN_METHODS.join(',')} (default: all)
  --timesteps T          T of threshold, diet and hybrid (default 5)
  --limit-train N        training images for fine-tuning and the general SNN (default 6000)
  --limit-test N         test images (default: all available: 10,000 with Debian's set, 1,000 shipped)
  --finetune-epochs N    diet/hybrid fine-tune epochs (default 1)
  --general-epochs N     epochs of the general SNN from scratch (default 3)
  --calib N              calibration images (default 512)
  --set M.OPTION=V       any other option of a method, e.g. --set diet.scale=0.7 (repeatable; spikelite train --help lists them)
  --sweep-images N       test images per point of the accuracy-vs-T sweeps (default 1000)
  --seed S               seed (default 0)
  --out DIR              where reports go (default runs/compare)
  --backend B            tensorflow | wasm | cpu (default: best available)
  --json                 print { table, out } on stdout

Examples:
  spikelite compare
  spikelite compare --methods threshold,fs --limit-test 2000 --out runs/quick
  spikelite compare --onnx my-fmnist.onnx --timesteps 3 --finetune-epochs 2 --set hybrid.scale=0.4`;

const FLAGS = {
  onnx: { type: 'string' }, ...ONNX_INPUT_FLAGS, ...DATA_FLAGS, methods: { type: 'string' }, timesteps: { type: 'string' },
  'limit-train': { type: 'string' }, 'limit-test': { type: 'string' }, 'finetune-epochs': { type: 'string' },
  'general-epochs': { type: 'string' }, 'sweep-images': { type: 'string' }, calib: { type: 'string' }, seed: { type: 'string' },
  set: { type: 'string', multiple: true }, out: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export interface CompareRow {
  method: MethodId;
  steps: string;
  accuracy: number;
  spikesPerNeuron: number | null;
  energyRatio: number | null;
  wallS: number;
}

function methodsFlag(raw: string | undefined): MethodId[] {
  if (raw === undefined) return SNN_METHODS;
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = list.filter((m) => !(SNN_METHODS as string[]).includes(m));
  if (list.length === 0 || bad.length > 0) throw new CliError(`--methods: expected a comma-separated subset of ${SNN_METHODS.join(',')}, got '${raw}'`);
  return SNN_METHODS.filter((m) => list.includes(m));
}

/** `--set diet.scale=0.7 …` → per method, flag values for its config. */
function setFlags(raw: readonly string[] | undefined): Map<MethodId, Record<string, string>> {
  const out = new Map<MethodId, Record<string, string>>();
  for (const s of raw ?? []) {
    const m = /^([a-z]+)\.([a-z][a-z-]*)=(.*)$/.exec(s);
    if (m === null || !(METHOD_IDS as string[]).includes(m[1]!)) throw new CliError(`--set: expected METHOD.OPTION=VALUE with METHOD one of ${METHOD_IDS.join(', ')}, got '${s}'`);
    const id = m[1] as MethodId;
    if (!(m[2]! in METHOD_FLAGS)) throw new CliError(`--set: ${s}: unknown option --${m[2]} (spikelite train --help lists every method's options)`);
    out.set(id, { ...out.get(id), [m[2]!]: m[3]! });
  }
  return out;
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
  const t0 = performance.now();
  const onnx = f.onnx ?? SHIPPED_ANN;
  if (!existsSync(onnx)) throw new CliError(`--onnx: ${onnx}: file not found`);
  const limitTrain = intFlag('limit-train', f['limit-train'], { min: 1, fallback: 6000 })!;
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  // A normalising transform goes in front of the ONNX model: the data stays raw pixels.
  const { data, input: onnxInput } = withTransformNormalization(dataRefFlags(f, { limitTrain, limitTest }), onnxInputFlags(f));
  const methods = [REFERENCE!, ...methodsFlag(f.methods)];
  const plan: PlanOptions = {
    timesteps: intFlag('timesteps', f.timesteps, { min: 1, fallback: 5 })!,
    finetuneEpochs: intFlag('finetune-epochs', f['finetune-epochs'], { min: 0, fallback: 1 })!,
    generalEpochs: intFlag('general-epochs', f['general-epochs'], { min: 1, fallback: 3 })!,
    calib: intFlag('calib', f.calib, { min: 1, fallback: 512 })!,
  };
  const overrides = setFlags(f.set);
  const configs = new Map(methods.map((m) => [m, { ...PLAN[m](plan), ...methodConfig(m, overrides.get(m) ?? {}) }]));
  const sweepImages = intFlag('sweep-images', f['sweep-images'], { min: 1, fallback: 1000 })!;
  const seed = intFlag('seed', f.seed, { min: 0, fallback: 0 })!;
  const out = f.out ?? join('runs', 'compare');
  const log = stderrLog(f.json === true);
  await startEngine(f.backend, log);

  const resources = createResources();
  const openData = openDataRef(log);
  const model = { kind: 'onnx' as const, file: onnx, ...onnxInput };
  // The data as every run loads it (checked against the model's classes), loaded once.
  const dataset = await openRunData({ method: REFERENCE!, model, data }, { resources, openData, onEvent: pipelineLog(log) });
  const sweepData: DataRef = sweepImages < dataset.test.count ? { ...data, limitTest: sweepImages } : data;
  await mkdir(out, { recursive: true });
  log.info(`compare: ${onnx} on ${dataset.name} (${dataset.train.count} train / ${dataset.test.count} test images), methods ${methods.join(', ')}`);

  // Two test images for the rasters: the first of two different classes.
  const { test } = dataset;
  const rasterIdx = [0, Array.from(test.labels).findIndex((l) => l !== test.labels[0])].filter((i) => i >= 0);
  const pixels = test.height * test.width * test.channels;
  const reports: RunReport[] = [];
  const sweeps: ReportBundle['sweeps'] = [];
  const rasters: ReportBundle['rasters'] = [];
  const rows: CompareRow[] = [];
  let annAccuracy: number | null = null;
  try {
    for (const method of methods) {
      const run = { method, config: configs.get(method)!, model, data, seed };
      const report = await runMethod(run, {
        resources, openData, onEvent: pipelineLog(log, `${method}: `),
        onModel: ({ snn }) => {
          if (snn !== null) for (const i of rasterIdx) rasters.push(recordRaster(snn, test.images.subarray(i * pixels, (i + 1) * pixels), test.labels[i]!, { method, seed }));
        },
      });
      const reference = method === REFERENCE;
      annAccuracy ??= report.annAccuracy;
      rows.push({
        method, steps: reference ? '-' : String(report.timesteps), accuracy: reference ? (report.annAccuracy ?? report.accuracy) : report.accuracy,
        spikesPerNeuron: reference ? null : report.spikes.perNeuron, energyRatio: reference ? null : report.energy.ratio, wallS: report.wallMs / 1000,
      });
      if (reference) continue;
      reports.push(report);
      await writeFile(join(out, `${method}.json`), JSON.stringify(report, null, 1));
      log.info(`${method}: ${(report.accuracy * 100).toFixed(2)}% (ANN ${((report.annAccuracy ?? 0) * 100).toFixed(2)}%), ${report.spikes.perNeuron.toFixed(3)} spikes/neuron, energy ANN/SNN ${report.energy.ratio.toFixed(2)}x (${(report.wallMs / 1000).toFixed(0)} s)`);
      // Accuracy against T (K for fs) for the methods that train nothing: cheap to sweep.
      const { steps } = getMethod(method);
      if (steps.sweep !== null && steps.label !== null) {
        log.info(`${method}: sweeping ${steps.label} = ${steps.sweep.join(', ')} on the first ${Math.min(sweepImages, test.count)} test images`);
        const sweepRows = await sweepMethod({ ...run, data: sweepData }, steps.sweep, { resources, openData });
        sweeps.push({ method, stepsLabel: steps.label, rows: sweepRows.map((r) => ({ steps: r.steps, accuracy: r.accuracy, spikesPerNeuron: r.spikesPerNeuron, energyRatio: r.energy.ratio })) });
      }
    }
  } finally {
    log.done();
  }

  const bundle: ReportBundle = {
    kind: 'spikelite-report', version: 1,
    title: `spikelite: ${onnx.split('/').pop()} on ${dataset.name}`,
    createdAt: new Date().toISOString(),
    dataset: { name: dataset.name, trainSize: dataset.train.count, testSize: dataset.test.count },
    ann: { accuracy: annAccuracy, source: onnx }, runs: reports, sweeps, rasters,
  };
  await writeFile(join(out, 'bundle.json'), JSON.stringify(bundle));
  const html = join(out, 'report.html');
  await writeFile(html, renderHtmlReport(bundle));
  const table = formatTable(rows);
  if (f.json !== true) process.stdout.write(`\n${table}\n\nreport: ${html}\n`);
  log.info(`compare: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return f.json === true ? { table: rows, out, report: html, wallMs: Math.round(performance.now() - t0) } : null;
}
