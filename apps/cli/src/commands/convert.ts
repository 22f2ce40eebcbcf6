/**
 * `spikelite convert`: an ONNX ANN → an SNN with one of the @spikelite/conversion recipes,
 * evaluated on the test set next to the ANN (onnxruntime on the same images), as a RunReport.
 * With --sweep, the trade-off over T (or K for fs) instead: one row per value.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConversionError, convert, sweep, validateConversion, type ConvertOptions, type SweepRow } from '@spikelite/conversion';
import { epochOrder, subset, takeFirst, type ImageSet } from '@spikelite/data';
import { createRng } from '@spikelite/engine';
import { importOnnx, networkFromImport, OnnxImportError, runOnnx } from '@spikelite/onnx';
import { CONVERSION_METHODS, type ConversionRecipeInput, type RunReport, imageInput } from '@spikelite/schemas';
import { choiceFlag, intFlag, numberFlag, parseFlags } from '../args.js';
import { CliError } from '../errors.js';
import { toNchw } from '../onnx-inputs.js';
import { trainProgress } from '../methods/context.js';
import { conversionReport } from '../report.js';
import { imageTensor, openDataset, startEngine, stderrLog } from '../setup.js';

export const CONVERT_HELP = `spikelite convert — convert an ONNX ANN into an SNN and evaluate both

  --onnx FILE                  the ANN (NCHW input, raw [0, 1] pixels for the shipped fixtures)
  --data <name|dir>            fashion-mnist (default), or a directory of IDX/CIFAR files
  --method <m>                 threshold (default) | fs | diet | hybrid (single-spike neurons, hybrid input,
                               spike-time + membrane fine-tune; apps/cli/METHODS.md)
  --timesteps T                T of threshold/diet (default 5); K of the fs neurons (default: 10 ReLU, 16 SiLU,
                               12 sigmoid; SiLU/sigmoid at another K get coefficients fitted here)
  --fs-fit missing|layer|samples
                               fs: fit coefficients only where none are published (default); 'layer': fit
                               every non-ReLU activation on its layer's input range; 'samples': on its
                               layer's observed inputs, warm-started from the published set (SiLU ResNet:
                               86.26% vs ANN 86.27%; packages/conversion/README.md)
  --calib N                    calibration images from the training set (default 512)
  --calibration ann|snn        thresholds from the ANN's activations + weight normalisation (default),
                               or DIET's layer-wise balancing on the SNN (SPEC §4d; weights unchanged)
  --calib-steps T              snn calibration: T_bal (default 50; SPEC §4d 100)
  --statistic S                max | p99.9 | p99.7 (default p99.7): threshold statistic
  --scale X                    threshold scale (default: threshold 1, diet 0.2, hybrid 0.5)
  --max-pool keep|avg          keep max over spikes (default) or replace maxPool by avgPool
  --finetune-epochs N          diet/hybrid: surrogate-gradient fine-tune epochs (default 1)
  --limit-train N              diet/hybrid: fine-tune on the first N training images
  --lr X                       diet/hybrid: fine-tune learning rate (default diet 1e-4, hybrid 5e-4)
  --batch B                    diet/hybrid: fine-tune batch size (default 64)
  --limit-test N               evaluate on the first N test images
  --sweep A,B,…                evaluate at each T (K for fs): accuracy, spikes/neuron, energy
  --seed S                     calibration/fine-tune shuffling seed (default 0)
  --out DIR                    write report.json and conversion.json to DIR
  --backend B                  tensorflow | wasm | cpu (default: best available)
  --json                       print the RunReport (with --sweep: { command, method, ann, sweep }) on stdout

Examples:
  spikelite convert --onnx tooling/fixtures/onnx/fmnist-cnn-bn.onnx --method fs --limit-test 1000
  spikelite convert --onnx tooling/fixtures/onnx/fmnist-cnn-bn.onnx --method hybrid --timesteps 5 --limit-train 6000
  spikelite convert --onnx tooling/fixtures/onnx/fmnist-cnn-bn.onnx --method threshold --sweep 1,2,4,8,16`;

const FLAGS = {
  onnx: { type: 'string' }, data: { type: 'string' }, method: { type: 'string' }, timesteps: { type: 'string' },
  calib: { type: 'string' }, calibration: { type: 'string' }, 'calib-steps': { type: 'string' }, statistic: { type: 'string' }, scale: { type: 'string' },
  'max-pool': { type: 'string' }, 'finetune-epochs': { type: 'string' }, 'limit-train': { type: 'string' }, lr: { type: 'string' },
  batch: { type: 'string' }, 'limit-test': { type: 'string' }, sweep: { type: 'string' }, seed: { type: 'string' },
  out: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  'fs-fit': { type: 'string' },
} as const;

function sweepFlag(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((s) => s.trim());
  if (values.length === 0 || values.some((v) => !/^\d+$/.test(v) || Number(v) < 1)) {
    throw new CliError(`--sweep: expected positive integers separated by commas, e.g. 1,2,4,8, got '${raw}'`);
  }
  return values.map(Number);
}

/** Top-1 accuracy of the ONNX model under onnxruntime on `set`. */
export async function onnxAccuracy(file: string, set: ImageSet): Promise<number> {
  const bs = 500;
  let hits = 0;
  for (let i = 0; i < set.count; i += bs) {
    const n = Math.min(bs, set.count - i);
    const { output, shape } = await runOnnx(file, toNchw(set, i, n), [n, set.channels, set.height, set.width]);
    const k = shape[shape.length - 1]!;
    for (let j = 0; j < n; j++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (output[j * k + c]! > output[j * k + best]!) best = c;
      if (best === set.labels[i + j]) hits++;
    }
  }
  return hits / set.count;
}

export async function convertCommand(argv: string[]): Promise<RunReport | Record<string, unknown> | null> {
  const { values: f } = parseFlags(argv, FLAGS);
  if (f.help) {
    process.stdout.write(`${CONVERT_HELP}\n`);
    return null;
  }
  const t0 = performance.now();
  const log = stderrLog(f.json === true);
  if (f.onnx === undefined) throw new CliError('--onnx FILE is required (see --help)');
  if (!existsSync(f.onnx)) throw new CliError(`--onnx: ${f.onnx}: file not found`);
  const method = choiceFlag('method', f.method, CONVERSION_METHODS, 'threshold')!;
  const steps = intFlag('timesteps', f.timesteps, { min: 1 });
  const calib = intFlag('calib', f.calib, { min: 1, fallback: 512 })!;
  const calibrationMode = choiceFlag('calibration', f.calibration, ['ann', 'snn'] as const, 'ann')!;
  const calibSteps = intFlag('calib-steps', f['calib-steps'], { min: 1, fallback: 50 })!;
  const statistic = choiceFlag('statistic', f.statistic, ['max', 'p99.9', 'p99.7'] as const, 'p99.7')!;
  const scale = numberFlag('scale', f.scale, { positive: true });
  const maxPool = choiceFlag('max-pool', f['max-pool'], ['keep', 'avg'] as const, 'keep')!;
  const finetuneEpochs = intFlag('finetune-epochs', f['finetune-epochs'], { min: 0, fallback: 1 })!;
  const limitTrain = intFlag('limit-train', f['limit-train'], { min: 1 });
  const limitTest = intFlag('limit-test', f['limit-test'], { min: 1 });
  const lr = numberFlag('lr', f.lr, { positive: true });
  const batch = intFlag('batch', f.batch, { min: 1, fallback: 64 })!;
  const seed = intFlag('seed', f.seed, { min: 0, fallback: 0 })!;
  const sweepSteps = sweepFlag(f.sweep);
  const fsFit = choiceFlag('fs-fit', f['fs-fit'], ['missing', 'layer', 'samples'] as const);
  let imported;
  try {
    imported = importOnnx(f.onnx);
  } catch (e) {
    if (e instanceof OnnxImportError) throw new CliError(e.message);
    throw e;
  }

  const engine = await startEngine(f.backend, log);
  const data = await openDataset(f.data ?? 'fashion-mnist', { limitTrain, limitTest }, log);
  const inp = imageInput(imported.spec.input, 'this ONNX model');
  if (inp.channels !== data.train.channels || inp.height !== data.train.height || inp.width !== data.train.width) {
    throw new CliError(`--onnx: ${f.onnx} takes ${inp.channels}×${inp.height}×${inp.width} images but ${data.name} has ${data.train.channels}×${data.train.height}×${data.train.width}`);
  }
  log.info(`data: ${data.name}, ${data.train.count} train / ${data.test.count} test images; model ${f.onnx} (${imported.report.folded.length} folds)`);

  const stat = statistic === 'max' ? { statistic: 'max' as const } : { statistic: 'percentile' as const, percentile: statistic === 'p99.9' ? 99.9 : 99.7 };
  const calibration = { images: calib, ...stat };
  const recipe: ConversionRecipeInput =
    method === 'fs'
      ? { kind: 'fs', ...(steps !== undefined ? { K: steps } : {}), ...(fsFit !== undefined ? { fit: fsFit } : {}) }
      : method === 'threshold'
        ? { kind: 'threshold', timesteps: steps ?? 5, calibration, ...(scale !== undefined ? { scale } : {}) }
        : { kind: method, timesteps: steps ?? 5, calibration, finetuneEpochs, ...(scale !== undefined ? { scale } : {}), ...(lr !== undefined ? { optimizer: { kind: 'adam', lr, amsgrad: true, weightDecay: 0 } } : {}) };

  const net = networkFromImport(imported);
  const order = epochOrder(data.train.count, createRng(seed + 1));
  const calibSet = takeFirst(subset(data.train, Array.from(order)), Math.min(calib, data.train.count));
  const images = imageTensor(calibSet);
  const options: ConvertOptions = {
    calibrationImages: images,
    log: (m) => log.info(m),
    maxPool,
    calibrationMode,
    balanceSteps: calibSteps,
    ...(method === 'diet' || method === 'hybrid' ? { finetune: { train: data.train, test: data.test, batchSize: batch, seed, onEvent: trainProgress(log, 'fine-tune') } } : {}),
  };
  try {
    // Fail fast (before the test-set runs) when a layer cannot be converted.
    const { errors } = validateConversion(net, recipe, options);
    if (errors.length > 0) throw new CliError(`${f.onnx}: cannot convert with the ${method} recipe: ${errors.map((e) => e.reason).join('; ')}`);
    const annAccuracy = await onnxAccuracy(f.onnx, data.test);
    log.info(`ANN (onnxruntime) test accuracy ${(annAccuracy * 100).toFixed(2)}%`);
    if (sweepSteps !== undefined) {
      const rows: SweepRow[] = await sweep(net, recipe, sweepSteps, {
        ...options,
        test: data.test,
        onRow: (r) => log.info(`${method === 'fs' ? 'K' : 'T'}=${r.steps}: accuracy ${(r.accuracy * 100).toFixed(2)}%, ${r.spikesPerNeuron.toFixed(3)} spikes/neuron, energy ANN/SNN ${r.energy.ratio.toFixed(2)}× (${Math.round(r.wallMs / 1000)} s)`),
      });
      const out = { command: 'convert', method, annAccuracy, dataset: { name: data.name, trainSize: data.train.count, testSize: data.test.count }, backend: engine.backend, sweep: rows, wallMs: Math.round(performance.now() - t0) };
      if (f.out) {
        await mkdir(f.out, { recursive: true });
        await writeFile(join(f.out, 'sweep.json'), JSON.stringify(out, null, 1));
      }
      return out;
    }
    const result = await convert(net, recipe, options);
    try {
      for (const n of result.info.notes) log.info(`note: ${n}`);
      const report = conversionReport(result, data.test, {
        method, dataset: { name: data.name, trainSize: data.train.count, testSize: data.test.count }, backend: engine.backend, annAccuracy, startedAt: t0,
      });
      log.info(`SNN (${method}, ${method === 'fs' ? 'K' : 'T'}=${result.info.steps}) test accuracy ${(report.accuracy * 100).toFixed(2)}% (ANN ${(annAccuracy * 100).toFixed(2)}%), ${report.spikes.perNeuron.toFixed(3)} spikes/neuron`);
      if (f.out) {
        await mkdir(f.out, { recursive: true });
        const { stats: _stats, ...info } = result.info;
        await writeFile(join(f.out, 'conversion.json'), JSON.stringify(info, null, 1));
        await writeFile(join(f.out, 'report.json'), JSON.stringify(report, null, 1));
      }
      return report;
    } finally {
      result.dispose();
    }
  } catch (e) {
    if (e instanceof ConversionError) throw new CliError(e.message);
    throw e;
  } finally {
    images.dispose();
    net.dispose();
    log.done();
  }
}
