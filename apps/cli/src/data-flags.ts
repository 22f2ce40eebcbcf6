/**
 * `--data` and how its files become images, as flags of every command that reads data:
 * `--transform` (folder:/list: image files: a preset or torchvision-style steps as JSON),
 * `--skip-bad-images` (a corrupt image is left out with a warning instead of stopping the
 * run) and `--bins` (nmnist: event recordings: frames per clip). They make a pipelines
 * DataRef, so every command (and any run description) loads data the same way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseEventDatasetSpec, parseImageDatasetSpec } from '@spikelite/data';
import { moveNormalization, type DataRef, type OnnxInput } from '@spikelite/pipelines';
import { PREPROCESS_PRESETS, resolvePreprocess, type Preprocess } from '@spikelite/schemas';
import { intFlag, type FlagSpec } from './args.js';
import { CliError } from './errors.js';

export const DATA_FLAGS = {
  data: { type: 'string' }, transform: { type: 'string' }, 'skip-bad-images': { type: 'boolean' }, bins: { type: 'string' },
} as const satisfies FlagSpec;

/** Help lines of the data flags (`pad`: the column the descriptions start at). */
export function dataHelp(pad = 29, what = 'the data'): string {
  const col = (flag: string, text: string) => `  ${flag.padEnd(pad - 2)}${text}`;
  const more = ''.padEnd(pad);
  return [
    col('--data <name|dir>', `${what}: fashion-mnist (default; Debian's dataset-fashion-mnist, else the shipped 6,000/1,000`),
    `${more}subset), mnist, cifar10, cifar100, a directory of IDX/CIFAR files, folder:DIR (an ImageFolder of`,
    `${more}JPEG/PNG/WebP: DIR/<class>/<image>, or DIR/train + DIR/val), list:FILE.csv (path,label[,split] lines)`,
    `${more}or nmnist:DIR (N-MNIST event recordings DIR/Train, DIR/Test, as clips of frames)`,
    col('--transform T', `folder:/list: preprocessing: ${Object.keys(PREPROCESS_PRESETS).join(', ')} (Resize 256, CenterCrop 224, Normalize), or`),
    `${more}steps as JSON (inline or a .json file), e.g. '{"steps":[{"kind":"resize","size":[28,28]},{"kind":"grayscale"},`,
    `${more}{"kind":"toTensor"}]}' (default tensor: RGB in [0, 1]; a normalize step moves in front of an ONNX model)`,
    col('--skip-bad-images', 'folder:/list: leave out unreadable or corrupt images with a warning (default: stop, naming the file)'),
    col('--bins N', 'nmnist: time bins (frames) per recording (default 10; eval/energy/export: the model\'s timesteps)'),
  ].join('\n');
}

/** `--transform`: a preset name, inline JSON, or a JSON file; validated (errors name the flag and field). */
export function transformFlag(raw: string | undefined): Preprocess | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  let value: unknown = raw;
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new CliError(`--transform: invalid JSON (${(e as Error).message})`);
    }
  } else if (text.endsWith('.json')) {
    if (!existsSync(text)) throw new CliError(`--transform: ${text}: file not found`);
    try {
      value = JSON.parse(readFileSync(text, 'utf8'));
    } catch (e) {
      throw new CliError(`--transform: ${text}: invalid JSON (${(e as Error).message})`);
    }
  }
  try {
    return resolvePreprocess(value, '--transform');
  } catch (e) {
    if ((e as Error).name === 'SpikeliteConfigError') throw new CliError((e as Error).message.split('\n')[0]!);
    throw e;
  }
}

export interface DataFlagOptions {
  limitTrain?: number | undefined;
  limitTest?: number | undefined;
  /** The transform when --transform is not given (eval: the checkpoint's). */
  transform?: Preprocess | undefined;
  /** The bins when --bins is not given (a frames model's timesteps). */
  bins?: number | undefined;
}

/** The data flags as a DataRef; a flag that does not apply to the --data given is an error naming both. */
export function dataRefFlags(f: Record<string, unknown>, o: DataFlagOptions = {}): DataRef {
  const name = (f.data as string | undefined) ?? 'fashion-mnist';
  const images = parseImageDatasetSpec(name) !== undefined;
  const events = parseEventDatasetSpec(name) !== undefined;
  const given = transformFlag(f.transform as string | undefined);
  if (given !== undefined && !images) throw new CliError(`--transform: applies to folder:DIR and list:FILE data only, not --data ${name}`);
  const skip = f['skip-bad-images'] === true;
  if (skip && !images) throw new CliError(`--skip-bad-images: applies to folder:DIR and list:FILE data only, not --data ${name}`);
  const binsFlag = intFlag('bins', f.bins as string | undefined, { min: 1 });
  if (binsFlag !== undefined && !events) throw new CliError(`--bins: applies to event data (nmnist:DIR) only, not --data ${name}`);
  const preprocess = given ?? (images ? o.transform : undefined);
  const bins = binsFlag ?? (events ? o.bins : undefined);
  return {
    name,
    ...(o.limitTrain !== undefined ? { limitTrain: o.limitTrain } : {}),
    ...(o.limitTest !== undefined ? { limitTest: o.limitTest } : {}),
    ...(preprocess !== undefined ? { preprocess } : {}),
    ...(skip ? { onError: 'skip' as const } : {}),
    ...(bins !== undefined ? { bins } : {}),
  };
}

/**
 * An ONNX model's input with a normalising transform's mean/std moved in front of it (the data
 * then stays raw pixels in [0, 1]); both a normalising --transform and --mean/--std are an error.
 */
export function withTransformNormalization<I extends OnnxInput>(data: DataRef, input: I): { data: DataRef; input: I } {
  if (data.preprocess === undefined) return { data, input };
  try {
    const moved = moveNormalization(data.preprocess, input);
    return { data: { ...data, preprocess: moved.preprocess }, input: moved.input };
  } catch (e) {
    if ((e as Error).name === 'PipelineError') throw new CliError(`--transform: ${(e as Error).message} (--mean/--std)`);
    throw e;
  }
}
