/** From a run's references to what it runs on: the dataset, and the model's spec (checked against the data). */
import { existsSync } from 'node:fs';
import { loadDataset, type Dataset, type LoadOptions } from '@spikelite/data';
import { compileGraph, PRESET_NAMES, presetSpec } from '@spikelite/models';
import { loadJsonFile, ModelSpec, type Preprocess } from '@spikelite/schemas';
import type { ResolvedModel } from './context.js';
import { PipelineError } from './errors.js';
import type { Resources } from './resources.js';
import type { DataRef, ModelRef } from './run-spec.js';

/** What loading a data reference is told besides the reference: the model's classes, and where progress and warnings go. */
export interface DataHooks {
  /** The model's classes (image files only): a label outside them fails naming the folder or list line. */
  classes?: number | readonly string[];
  /** Images decoded of a split (image files only). */
  onProgress?: (p: { split: 'train' | 'test'; done: number; total: number }) => void;
  /** Files left out (other image formats, corrupt images with `onError: 'skip'`). */
  onWarning?: (message: string) => void;
}

/** `loadDataset`'s options for a data reference: limits, and how image files or event recordings are read. */
export function loadOptions(ref: DataRef, hooks: DataHooks = {}): LoadOptions {
  return {
    ...(ref.limitTrain !== undefined ? { limitTrain: ref.limitTrain } : {}),
    ...(ref.limitTest !== undefined ? { limitTest: ref.limitTest } : {}),
    images: {
      ...(ref.preprocess !== undefined ? { preprocess: ref.preprocess } : {}),
      ...(ref.onError !== undefined ? { onError: ref.onError } : {}),
      ...(hooks.classes !== undefined ? { classes: hooks.classes } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      ...(hooks.onWarning ? { onWarning: hooks.onWarning } : {}),
    },
    ...(ref.bins !== undefined ? { events: { bins: ref.bins } } : {}),
  };
}

/** Loads `ref` with @spikelite/data (a registered name, a directory, folder:DIR, list:FILE or nmnist:DIR). */
export function loadData(ref: DataRef, hooks: DataHooks = {}): Promise<Dataset> {
  return loadDataset(ref.name, loadOptions(ref, hooks));
}

/** The classes a spec's output has: the size of a flat output (a classifier's logits), else undefined. */
export function specClasses(spec: ModelSpec): number | undefined {
  const nodes = compileGraph(spec).nodes;
  const out = nodes[nodes.length - 1]!.output;
  return out.length === 1 ? out[0] : undefined;
}

/** The model's classes before any data is read (an ONNX file's or a ModelSpec's outputs); a preset takes the data's. */
export async function modelClasses(ref: ModelRef, resources: Resources): Promise<number | undefined> {
  switch (ref.kind) {
    case 'onnx':
      if (!existsSync(ref.file)) throw new PipelineError(`${ref.file}: file not found`);
      return specClasses(resources.onnx(ref.file, { inputShape: ref.inputShape, mean: ref.mean, std: ref.std }).spec);
    case 'preset':
      return undefined;
    case 'spec':
      return specClasses(ref.spec);
    case 'specFile':
      if (!existsSync(ref.file)) throw new PipelineError(`${ref.file}: file not found`);
      return specClasses(await loadJsonFile(ref.file, ModelSpec));
  }
}

const shapeOf = (s: { channels: number; height: number; width: number }): string => `${s.channels}×${s.height}×${s.width}`;

/** How a transform could give the model's image shape (said when the data's images do not fit the model). */
export function transformHint(preprocess: Preprocess | undefined, want: { channels: number; height: number; width: number }, have: { channels: number; height: number; width: number }): string {
  if (preprocess === undefined) return '';
  const fixes: string[] = [];
  if (want.channels !== have.channels) fixes.push(want.channels === 1 ? "a grayscale step gives 1 channel (the preset 'grayscale')" : 'an rgb step gives 3 channels');
  if (want.height !== have.height || want.width !== have.width) fixes.push(`a resize or centerCrop step to ${want.height}×${want.width} sets the size`);
  return ` after the transform ${preprocess.name !== undefined ? `'${preprocess.name}' ` : ''}(${preprocess.steps.map((s) => s.kind).join(' → ')})${fixes.length > 0 ? `: ${fixes.join('; ')}` : ''}`;
}

/** The model's spec; a preset takes the data's image shape and classes. The model must take the data's images. */
export async function resolveModel(ref: ModelRef, data: Dataset, resources: Resources): Promise<ResolvedModel> {
  const images = { channels: data.train.channels, height: data.train.height, width: data.train.width };
  let model: ResolvedModel;
  let name: string;
  switch (ref.kind) {
    case 'onnx':
      if (!existsSync(ref.file)) throw new PipelineError(`${ref.file}: file not found`);
      if (ref.sha256 !== undefined) {
        const actual = await resources.sha256(ref.file);
        if (actual !== ref.sha256) {
          throw new PipelineError(`${ref.file}: its sha256 is ${actual.slice(0, 12)}…, not the run's ${ref.sha256.slice(0, 12)}… (the file changed after the run was described)`);
        }
      }
      {
        const input = { inputShape: ref.inputShape, mean: ref.mean, std: ref.std };
        model = { kind: 'onnx', file: ref.file, input, spec: resources.onnx(ref.file, input).spec };
      }
      name = ref.file;
      break;
    case 'preset':
      if (!PRESET_NAMES.includes(ref.name)) throw new PipelineError(`unknown preset '${ref.name}' (presets: ${PRESET_NAMES.join(', ')})`);
      model = { kind: 'spec', spec: presetSpec(ref.name, { input: images, classes: data.train.classes }) };
      name = `preset ${ref.name}`;
      break;
    case 'spec':
      model = { kind: 'spec', spec: ref.spec };
      name = ref.spec.name ?? 'the ModelSpec';
      break;
    case 'specFile':
      if (!existsSync(ref.file)) throw new PipelineError(`${ref.file}: file not found`);
      model = { kind: 'spec', spec: await loadJsonFile(ref.file, ModelSpec) };
      name = ref.file;
      break;
  }
  if (!('channels' in model.spec.input)) throw new PipelineError(`${name} takes [${model.spec.input.shape.join(', ')}] inputs, not images`);
  if (shapeOf(model.spec.input) !== shapeOf(images)) {
    throw new PipelineError(`${name} takes ${shapeOf(model.spec.input)} images but ${data.name} has ${shapeOf(images)}${transformHint(data.preprocess, model.spec.input, images)}`);
  }
  return model;
}
