/**
 * What `train` and `convert` share: flags → a method run (JSON, @spikelite/pipelines) → the
 * RunReport, or with --sweep one run per T (K) → sweep rows. The two differ only in where the
 * model comes from (--model, --onnx) and the default method.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getMethod, METHOD_IDS, parseMethodRun, runMethod, sweepMethod, type MethodId, type MethodRunInput, type ModelRefInput } from '@spikelite/pipelines';
import type { RunReport } from '@spikelite/schemas';
import { choiceFlag, intFlag, parseFlags, type FlagSpec } from './args.js';
import { DATA_FLAGS, dataHelp, dataRefFlags, withTransformNormalization } from './data-flags.js';
import { CliError } from './errors.js';
import { METHOD_FLAGS, methodConfig } from './method-flags.js';
import { backendFlag, openDataRef, pipelineLog, profileFlag, startEngine, stderrLog } from './setup.js';

/** Flags of both commands besides the method options. */
export const RUN_FLAGS = {
  method: { type: 'string' }, ...DATA_FLAGS, 'limit-train': { type: 'string' }, 'limit-test': { type: 'string' },
  seed: { type: 'string' }, profile: { type: 'string' }, sweep: { type: 'string' }, out: { type: 'string' }, resume: { type: 'string' },
  backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' },
} as const satisfies FlagSpec;

export const RUN_FLAGS_HELP = `  --method <m>                 ${METHOD_IDS.join(' | ')} (below)
${dataHelp(31)}
  --limit-train N, --limit-test N   use the first N images (folder:/list: a seeded random N, in folder order)
  --seed S                     seed of weights, shuffling, calibration images, dropout (default 0)
  --profile P                  energy profile of the report: cmos45nm-fp32 (default), cmos45nm-int32 or a JSON file
  --sweep A,B,…                run at each T (K for fs) instead: one row per value (accuracy, spikes/neuron, energy)
  --out DIR                    checkpoints of the training stages (DIR/ann, DIR/snn), conversion.json, report.json
  --resume DIR                 continue a killed run from its --out DIR (finished stages are loaded, not retrained)
  --backend B                  tensorflow | wasm | cpu (default: best available)
  --json                       print the RunReport (with --sweep: { command, method, dataset, sweep }) on stdout
  --verbose                    also say why a faster backend did not load`;

function sweepFlag(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((s) => s.trim());
  if (values.length === 0 || values.some((v) => !/^\d+$/.test(v) || Number(v) < 1)) {
    throw new CliError(`--sweep: expected positive integers separated by commas, e.g. 1,2,4,8, got '${raw}'`);
  }
  return values.map(Number);
}

/**
 * Parse `argv` (the model flag is the caller's: `modelFlags` adds it, `model` reads it), run the
 * method, print progress on stderr and return what stdout gets (main prints it).
 */
export async function runMethodCommand(
  argv: string[],
  o: { command: 'train' | 'convert'; defaultMethod: MethodId; modelFlags: FlagSpec; model: (values: Record<string, unknown>) => ModelRefInput },
): Promise<RunReport | Record<string, unknown>> {
  const { values: f } = parseFlags(argv, { ...RUN_FLAGS, ...o.modelFlags, ...METHOD_FLAGS });
  const method = choiceFlag('method', f.method as string | undefined, METHOD_IDS, o.defaultMethod)!;
  const limitTrain = intFlag('limit-train', f['limit-train'] as string | undefined, { min: 1 });
  const limitTest = intFlag('limit-test', f['limit-test'] as string | undefined, { min: 1 });
  const sweep = sweepFlag(f.sweep as string | undefined);
  const out = (f.out ?? f.resume) as string | undefined;
  const resume = f.resume as string | undefined;
  if (resume !== undefined && f.out !== undefined && resume !== f.out) throw new CliError('--resume and --out name different directories; --resume DIR continues in DIR');
  if (resume !== undefined && !existsSync(resume)) throw new CliError(`--resume: ${resume}: no such directory`);
  if (sweep !== undefined && !('timesteps' in getMethod(method).schema.shape)) throw new CliError(`--sweep: the ${method} method has no steps to sweep`);
  let model = o.model(f);
  let data = dataRefFlags(f, { limitTrain, limitTest });
  // A normalising transform goes in front of an ONNX model (checked here to name the flags).
  if (model.kind === 'onnx') ({ data, input: model } = withTransformNormalization(data, model));
  const run: MethodRunInput = {
    method,
    config: methodConfig(method, f),
    model,
    data,
    seed: intFlag('seed', f.seed as string | undefined, { min: 0, fallback: 0 })!,
    energyProfile: await profileFlag(f.profile as string | undefined),
  };
  parseMethodRun(run); // every value checked before the engine starts
  backendFlag(f.backend as string | undefined);
  const log = stderrLog(f.json === true);
  await startEngine(f.backend as string | undefined, log);
  const options = { onEvent: pipelineLog(log), openData: openDataRef(log) };
  try {
    if (sweep !== undefined) {
      const t0 = performance.now();
      let first: RunReport | undefined;
      const rows = await sweepMethod(run, sweep, {
        ...options,
        onRow: (r, report) => {
          first ??= report;
          log.info(`${method} ${r.steps}: accuracy ${(r.accuracy * 100).toFixed(2)}%, ${r.spikesPerNeuron.toFixed(3)} spikes/neuron, energy ANN/SNN ${r.energy.ratio.toFixed(2)}x (${Math.round(r.wallMs / 1000)} s)`);
        },
      });
      const result = { command: o.command, method, annAccuracy: first!.annAccuracy, dataset: first!.dataset, backend: first!.backend, sweep: rows, wallMs: Math.round(performance.now() - t0) };
      if (out !== undefined) await writeJson(join(out, 'sweep.json'), result);
      return result;
    }
    const report = await runMethod(run, { ...options, ...(out !== undefined ? { out } : {}), ...(resume !== undefined ? { resume } : {}) });
    if (out !== undefined) await writeJson(join(out, 'report.json'), report);
    return report;
  } finally {
    log.done();
  }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 1)}\n`);
}
