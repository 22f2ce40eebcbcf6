/**
 * What a method's `run` works with: the resolved data and model, and the stages every method
 * composes — the ANN stage, calibration images, conversion, a trained SNN stage — each with
 * checkpoints under `out` and resume from `resume`, and `finish`, which measures the result
 * on the test set and assembles the RunReport.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { convert, ConversionError, finetuneSnn, type ConversionResult, type ConvertOptions, type FinetunePlan } from '@spikelite/conversion';
import type { Dataset } from '@spikelite/data';
import { currentBackend } from '@spikelite/engine';
import { Network, type SnnModel } from '@spikelite/models';
import { ConversionRecipe, parseWith, TrainConfig, type ConversionRecipeInput, type EnergyProfile, type ModelSpec, type RunReport } from '@spikelite/schemas';
import { annTarget, evaluate, loadCheckpoint, snnTarget, train, type EvalResult, type EvaluateOptions, type LoadedCheckpoint, type TrainEvent } from '@spikelite/training';
import { calibrationImages } from './calibration.js';
import { PipelineError } from './errors.js';
import type { OnnxInput } from './run-spec.js';
import type { PipelineEventHandler } from './events.js';
import type { MethodId } from './method.js';
import { buildRunReport, gradedSpikesOf, reportedSteps } from './report.js';
import type { Resources } from './resources.js';

/** The model of a run, resolved: its spec, and for an ONNX file the file (its weights are trained). */
export type ResolvedModel = { kind: 'onnx'; file: string; input: OnnxInput; spec: ModelSpec } | { kind: 'spec'; spec: ModelSpec };

/** What `finish` hands to `RunOptions.onModel` before the run's tensors are freed. */
export interface FinishedRun {
  method: MethodId;
  report: RunReport;
  /** The SNN (null for an ANN run) and the network it runs. */
  snn: SnnModel | null;
  network: Network;
  data: Dataset;
}

export interface FinishInput {
  /** The SNN, or null when the run's result is the ANN itself. */
  snn: SnnModel | null;
  /** The ANN (for an SNN: any network; the report's graph is the SNN's own). */
  net: Network;
  annAccuracy: number | null;
  /** The final evaluation on the test set when the last stage made one already (a trained stage). */
  evaluated?: EvalResult | null;
}

interface Disposable {
  dispose(): void;
}

export interface ContextInit {
  method: MethodId;
  data: Dataset;
  dataKey: string;
  model: ResolvedModel;
  seed: number;
  profile: EnergyProfile;
  resources: Resources;
  onEvent?: PipelineEventHandler;
  onModel?: (run: FinishedRun) => void | Promise<void>;
  out?: string;
  resume?: string;
}

export class MethodContext {
  readonly method: MethodId;
  readonly data: Dataset;
  readonly model: ResolvedModel;
  readonly seed: number;
  private readonly init: ContextInit;
  private readonly owned: Disposable[] = [];
  private readonly t0 = performance.now();
  /** Whether the run used the model's trained (ONNX) weights: the report's command is then convert/eval, not train. */
  private pretrained = false;

  constructor(init: ContextInit) {
    this.init = init;
    this.method = init.method;
    this.data = init.data;
    this.model = init.model;
    this.seed = init.seed;
  }

  log(message: string): void {
    this.init.onEvent?.({ type: 'log', message });
  }

  /** Frees `d` when the run ends. */
  track<T extends Disposable>(d: T): T {
    this.owned.push(d);
    return d;
  }

  dispose(): void {
    for (const d of this.owned.splice(0).reverse()) d.dispose();
  }

  /**
   * The model's network, freed when the run ends: 'model' = the ONNX file's trained weights
   * (for a ModelSpec: its seeded random init, which the ANN stage trains); 'random' = the
   * seeded random init of the same architecture.
   */
  network(init: 'model' | 'random' = 'model'): Network {
    if (init === 'model' && this.model.kind === 'onnx') {
      this.pretrained = true;
      return this.track(this.init.resources.onnxNetwork(this.model.file, this.model.input));
    }
    return this.track(Network.create(this.model.spec, { seed: this.seed }));
  }

  /** The ANN's test accuracy under onnxruntime, for an ONNX model (cached per file and data); null otherwise. */
  async referenceAccuracy(): Promise<number | null> {
    if (this.model.kind !== 'onnx') return null;
    return this.init.resources.referenceAccuracy(this.model.file, this.init.dataKey, this.data.test, this.model.input);
  }

  private stageDir(dir: string | undefined, stage: string): string | undefined {
    return dir === undefined ? undefined : join(dir, stage);
  }

  private async resumeOf(stage: string): Promise<LoadedCheckpoint | undefined> {
    const dir = this.stageDir(this.init.resume, stage);
    if (dir === undefined || !existsSync(join(dir, 'latest.json'))) return undefined;
    const ck = await loadCheckpoint(dir);
    this.log(`${stage}: resuming from ${ck.dir} (epoch ${ck.manifest.epoch})`);
    return ck;
  }

  private onTrain(stage: string): (event: TrainEvent) => void {
    return (event) => this.init.onEvent?.({ type: 'train', stage, event });
  }

  /**
   * The ANN stage of every method that starts from a trained ANN. A ModelSpec's network is
   * trained here (Adam, checkpoints in <out>/ann, resumed from <resume>/ann); an ONNX model is
   * already trained. Returns the ANN's test accuracy (onnxruntime's for an ONNX model).
   */
  async annStage(net: Network, o: { epochs: number; lr: number; batch: number }): Promise<number> {
    if (this.model.kind === 'onnx') {
      const accuracy = (await this.referenceAccuracy())!;
      this.log(`ANN (onnxruntime) test accuracy ${(accuracy * 100).toFixed(2)}%`);
      return accuracy;
    }
    const result = await this.trainAnn(net, o);
    return result.accuracy;
  }

  /** Trains `net` as an ANN (the `ann` method, and the ANN stage of a ModelSpec). */
  async trainAnn(net: Network, o: { epochs: number; lr: number; batch: number }): Promise<EvalResult> {
    const config = parseWith(TrainConfig, { method: 'ann', timesteps: 1, epochs: o.epochs, batchSize: o.batch, optimizer: { kind: 'adam', lr: o.lr }, seed: this.seed }, 'ANN stage config');
    const runDir = this.stageDir(this.init.out, 'ann');
    const resume = await this.resumeOf('ann');
    const result = await train({
      target: annTarget(net), train: this.data.train, test: this.data.test, config,
      describe: { spec: net.spec, method: 'ann', ...(this.data.preprocess ? { preprocess: this.data.preprocess } : {}) },
      onEvent: this.onTrain('ann'), ...(runDir ? { runDir } : {}), ...(resume ? { resume } : {}),
    });
    this.log(`ANN test accuracy ${(result.final.accuracy * 100).toFixed(2)}%`);
    return result.final;
  }

  /** `count` calibration images of the training set (calibrationImages, this run's seed), freed when the run ends. */
  calibrationImages(count: number): tf.Tensor4D {
    return this.track(calibrationImages(this.data.train, count, this.seed));
  }

  /**
   * `convert(net, recipe)` of @spikelite/conversion without its finalising stage (the recipe's
   * `finetuneEpochs` is set to 0: methods fine-tune with `trainSnn`, which checkpoints and
   * resumes). Writes <out>/conversion.json. The result is freed when the run ends.
   */
  async convert(net: Network, recipe: ConversionRecipeInput, options: Omit<ConvertOptions, 'log' | 'finetune'>): Promise<{ result: ConversionResult; recipe: ConversionRecipe }> {
    const parsed = parseWith(ConversionRecipe, recipe, `${recipe.kind} recipe`);
    const noFinetune = 'finetuneEpochs' in parsed ? { ...parsed, finetuneEpochs: 0 } : parsed;
    let result: ConversionResult;
    try {
      result = this.track(await convert(net, noFinetune, { ...options, log: (m) => this.log(m) }));
    } catch (e) {
      if (e instanceof ConversionError) throw new PipelineError(`${this.modelName()}: ${e.message}`);
      throw e;
    }
    for (const n of result.info.notes) this.log(`note: ${n}`);
    const { stats: _stats, ...info } = result.info;
    await this.writeArtifact('conversion.json', { ...info, recipe: parsed });
    return { result, recipe: parsed };
  }

  /** Trains an SNN stage with @spikelite/conversion's `finetuneSnn` (checkpoints in <out>/snn, resumed from <resume>/snn). */
  async trainSnn(snn: SnnModel, plan: FinetunePlan, o: { batch: number; evaluation?: Pick<EvaluateOptions, 'maxSpikesPerNeuron'> }): Promise<EvalResult> {
    const runDir = this.stageDir(this.init.out, 'snn');
    const resume = await this.resumeOf('snn');
    return finetuneSnn(
      snn,
      { train: this.data.train, test: this.data.test, batchSize: o.batch, seed: this.seed, onEvent: this.onTrain('snn') },
      plan,
      (m) => this.log(m),
      {
        ...(runDir ? { runDir } : {}), ...(resume ? { resume } : {}), ...(o.evaluation ? { evaluation: o.evaluation } : {}),
        ...(this.data.preprocess ? { preprocess: this.data.preprocess } : {}),
      },
    );
  }

  /** Writes <out>/<name> (JSON) when the run has an output directory. */
  async writeArtifact(name: string, value: unknown): Promise<void> {
    if (this.init.out === undefined) return;
    await mkdir(this.init.out, { recursive: true });
    await writeFile(join(this.init.out, name), `${JSON.stringify(value, null, 1)}\n`);
  }

  /** `evaluate` on the test set, with progress events. */
  measure(snn: SnnModel | null, net: Network, options: Pick<EvaluateOptions, 'maxSpikesPerNeuron'> = {}): EvalResult {
    const target = snn === null ? annTarget(net) : snnTarget(snn, { kind: 'ce', on: 'final', labelSmoothing: 0 });
    return evaluate(target, this.data.test, { ...options, onProgress: (done, total) => this.init.onEvent?.({ type: 'evaluate', done, total }) });
  }

  /** Measures the result on the test set (unless the last stage just did), builds the RunReport and shows it to `onModel`. */
  async finish(f: FinishInput): Promise<RunReport> {
    const ev = f.evaluated ?? this.measure(f.snn, f.net);
    const graph = (f.snn?.network ?? f.net).graph;
    const report = buildRunReport({
      command: !this.pretrained ? 'train' : f.snn === null ? 'eval' : 'convert',
      method: this.method,
      dataset: { name: this.data.name, trainSize: this.data.train.count, testSize: this.data.test.count },
      timesteps: f.snn === null ? 1 : reportedSteps(f.snn),
      backend: currentBackend(),
      result: ev,
      annAccuracy: f.annAccuracy,
      graph,
      gradedSpikes: f.snn !== null && gradedSpikesOf(f.snn),
      profile: this.init.profile,
      wallMs: performance.now() - this.t0,
      preprocess: this.data.preprocess,
      ...(this.model.kind === 'onnx' ? { modelInput: { shape: this.model.input.inputShape, mean: this.model.input.mean, std: this.model.input.std } } : {}),
    });
    await this.init.onModel?.({ method: this.method, report, snn: f.snn, network: f.snn?.network ?? f.net, data: this.data });
    return report;
  }

  private modelName(): string {
    return this.model.kind === 'onnx' ? this.model.file : (this.model.spec.name ?? 'the model');
  }
}
