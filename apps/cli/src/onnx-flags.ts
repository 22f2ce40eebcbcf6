/**
 * How an ONNX model takes images, as flags of every command that reads one: `--input-shape
 * CxHxW` (sizes of its dynamic axes), `--mean a,b,c` and `--std a,b,c` (the per-channel
 * normalisation it was trained with; spikelite puts it in front of the network, so datasets
 * and spike encodings stay raw pixels in [0, 1]).
 */
import type { OnnxInput } from '@spikelite/pipelines';
import type { FlagSpec } from './args.js';
import { CliError } from './errors.js';

export const ONNX_INPUT_FLAGS = { 'input-shape': { type: 'string' }, mean: { type: 'string' }, std: { type: 'string' } } as const satisfies FlagSpec;

export const ONNX_INPUT_HELP = `  --input-shape CxHxW          sizes of the model's dynamic input axes (e.g. 3x224x224)
  --mean A,B,C, --std A,B,C    the per-channel normalisation the model was trained with (torchvision's
                               ImageNet: 0.485,0.456,0.406 and 0.229,0.224,0.225); applied in front of the
                               network, so the data stays raw pixels in [0, 1]`;

function numbers(flag: string, raw: string, positive: boolean): number[] {
  const values = raw.split(',').map((s) => s.trim());
  const parsed = values.map(Number);
  if (values.length === 0 || values.some((v) => v === '') || parsed.some((v) => !Number.isFinite(v) || (positive && v <= 0))) {
    throw new CliError(`--${flag}: expected ${positive ? 'positive ' : ''}numbers separated by commas (one per channel, or one for all), got '${raw}'`);
  }
  return parsed;
}

/** The flags' values as a model reference's input options. */
export function onnxInputFlags(f: Record<string, unknown>): OnnxInput {
  const shape = f['input-shape'] as string | undefined;
  const mean = f.mean as string | undefined;
  const std = f.std as string | undefined;
  if ((mean === undefined) !== (std === undefined)) throw new CliError(`--${mean === undefined ? 'std' : 'mean'} needs --${mean === undefined ? 'mean' : 'std'} too`);
  let inputShape: number[] | undefined;
  if (shape !== undefined) {
    const dims = shape.split(/[x×,]/).map((s) => s.trim());
    if (dims.some((d) => !/^\d+$/.test(d) || Number(d) < 1)) throw new CliError(`--input-shape: expected positive sizes like 3x224x224, got '${shape}'`);
    inputShape = dims.map(Number);
  }
  return {
    ...(inputShape !== undefined ? { inputShape } : {}),
    ...(mean !== undefined ? { mean: numbers('mean', mean, false) } : {}),
    ...(std !== undefined ? { std: numbers('std', std, true) } : {}),
  };
}
