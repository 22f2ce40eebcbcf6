/** From a run's references to what it runs on: the dataset, and the model's spec (checked against the data). */
import { existsSync } from 'node:fs';
import { loadDataset, type Dataset } from '@spikelite/data';
import { PRESET_NAMES, presetSpec } from '@spikelite/models';
import { loadJsonFile, ModelSpec } from '@spikelite/schemas';
import type { ResolvedModel } from './context.js';
import { PipelineError } from './errors.js';
import type { Resources } from './resources.js';
import type { DataRef, ModelRef } from './run-spec.js';

/** Loads `ref` with @spikelite/data (a registered name or a directory). */
export function loadData(ref: DataRef): Promise<Dataset> {
  return loadDataset(ref.name, { ...(ref.limitTrain !== undefined ? { limitTrain: ref.limitTrain } : {}), ...(ref.limitTest !== undefined ? { limitTest: ref.limitTest } : {}) });
}

const shapeOf = (s: { channels: number; height: number; width: number }): string => `${s.channels}×${s.height}×${s.width}`;

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
    throw new PipelineError(`${name} takes ${shapeOf(model.spec.input)} images but ${data.name} has ${shapeOf(images)}`);
  }
  return model;
}
