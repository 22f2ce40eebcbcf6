/** `spikelite convert`: a method of @spikelite/pipelines on a trained ANN from an ONNX file, next to onnxruntime's accuracy. */
import { existsSync } from 'node:fs';
import type { RunReport } from '@spikelite/schemas';
import { CliError } from '../errors.js';
import { runMethodCommand, RUN_FLAGS_HELP } from '../method-command.js';
import { methodsHelp } from '../method-flags.js';
import { ONNX_INPUT_FLAGS, ONNX_INPUT_HELP, onnxInputFlags } from '../onnx-flags.js';

export const CONVERT_HELP = `spikelite convert — convert an ONNX ANN into an SNN with one of the methods and evaluate both

  --onnx FILE                  the trained ANN (NCHW input; raw [0, 1] pixels for the shipped fixtures)
${ONNX_INPUT_HELP}
${RUN_FLAGS_HELP}

${methodsHelp()}

Examples:
  spikelite convert --onnx tooling/fixtures/onnx/fmnist-cnn-bn.onnx --method fs --limit-test 1000
  spikelite convert --onnx tooling/fixtures/onnx/fmnist-cnn-bn.onnx --method hybrid --timesteps 5 --limit-train 6000
  spikelite convert --onnx tooling/fixtures/onnx/fmnist-cnn-bn.onnx --method threshold --sweep 1,2,4,8,16
  spikelite convert --onnx resnet18.onnx --input-shape 1x28x28 --mean 0.286 --std 0.353 --method fs`;

export function convertCommand(argv: string[]): Promise<RunReport | Record<string, unknown>> {
  return runMethodCommand(argv, {
    command: 'convert', defaultMethod: 'threshold', modelFlags: { onnx: { type: 'string' }, ...ONNX_INPUT_FLAGS },
    model: (f) => {
      const file = f.onnx as string | undefined;
      if (file === undefined) throw new CliError('--onnx FILE is required (see --help)');
      if (!existsSync(file)) throw new CliError(`--onnx: ${file}: file not found`);
      return { kind: 'onnx', file, ...onnxInputFlags(f) };
    },
  });
}
