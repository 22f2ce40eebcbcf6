/**
 * Preset architectures as ModelSpecs, with configurable input shape and classes.
 * VGG and ResNet layer lists follow the DIET-SNN / hybrid-snn-conversion code (SPEC §4e):
 * conv3x3 (padding 1, no bias) → activation → dropout; 'A' = AvgPool 2 replacing the
 * dropout before it. `fmnist-small` is the benchmark workload of shared/bench/BENCH.md.
 */
import { ModelSpec, parseWith, type InputShape, type LayerInput, type ModelSpecInput } from '@spikelite/schemas';

export interface PresetOptions {
  input?: InputShape;
  classes?: number;
  /** Dropout after hidden activations (0 = none). SPEC §4d: 0.2 conv / 0.5 classifier in the ANN. */
  dropout?: number;
  /** Hidden units of classifier layers, where the preset has some. */
  hidden?: number;
}

const conv = (filters: number, kernelSize = 3, strides = 1): LayerInput => ({
  kind: 'conv2d',
  filters,
  kernelSize,
  strides,
  padding: 'same',
  useBias: false,
});
const relu = (): LayerInput => ({ kind: 'activation', fn: 'relu' });
const drop = (rate: number): LayerInput[] => (rate > 0 ? [{ kind: 'dropout', rate }] : []);
const pool = (): LayerInput => ({ kind: 'avgPool', poolSize: 2 });
const linear = (units: number): LayerInput => ({ kind: 'linear', units, useBias: false });

/** A VGG-style feature stack from a plan such as `[64, 'A', 128, ...]`. */
function vggFeatures(plan: Array<number | 'A'>, dropout: number): LayerInput[] {
  const layers: LayerInput[] = [];
  plan.forEach((item, i) => {
    if (item === 'A') return;
    layers.push(conv(item), relu());
    // The pool replaces the dropout that would follow this conv (SPEC §4e).
    if (plan[i + 1] === 'A') layers.push(pool());
    else layers.push(...drop(dropout));
  });
  return layers;
}

const VGG_PLANS: Record<string, Array<number | 'A'>> = {
  vgg5: [64, 'A', 128, 128, 'A'],
  vgg9: [64, 'A', 128, 256, 'A', 256, 512, 'A', 512, 'A', 512],
  vgg11: [64, 'A', 128, 256, 'A', 512, 512, 'A', 512, 'A', 512, 512],
  vgg16: [64, 64, 'A', 128, 128, 'A', 256, 256, 256, 'A', 512, 512, 512, 'A', 512, 512, 512],
};

/** DIET-style residual block: conv → act → dropout → conv, shortcut added before the second activation. */
function resBlock(inCh: number, outCh: number, stride: number, dropout: number): LayerInput[] {
  const shortcut = stride !== 1 || inCh !== outCh ? [conv(outCh, 1, stride)] : [];
  return [
    { kind: 'residual', body: [conv(outCh, 3, stride), relu(), ...drop(dropout), conv(outCh)], shortcut },
    relu(),
  ];
}

type Builder = (o: Required<Omit<PresetOptions, 'input'>> & { input: InputShape }) => LayerInput[];

const BUILDERS: Record<string, { build: Builder; input: InputShape; hidden: number; dropout: number; about: string }> = {
  mlp: {
    about: 'flatten → linear hidden → act → linear hidden → act → linear classes',
    input: { channels: 1, height: 28, width: 28 },
    hidden: 256,
    dropout: 0,
    build: (o) => [{ kind: 'flatten' }, linear(o.hidden), relu(), ...drop(o.dropout), linear(o.hidden), relu(), ...drop(o.dropout), linear(o.classes)],
  },
  'fmnist-small': {
    about: 'conv32 → pool → conv64 → pool → linear 128 → linear classes (shared/bench/BENCH.md)',
    input: { channels: 1, height: 28, width: 28 },
    hidden: 128,
    dropout: 0,
    build: (o) => [conv(32), relu(), pool(), conv(64), relu(), pool(), { kind: 'flatten' }, ...drop(o.dropout), linear(o.hidden), relu(), ...drop(o.dropout), linear(o.classes)],
  },
  resnet20: {
    about: 'DIET ResNet20: 3 stem convs, 8 blocks (16 convs) at 64/128/256/512, linear head (SPEC §4e)',
    input: { channels: 3, height: 32, width: 32 },
    hidden: 0,
    dropout: 0.2,
    build: (o) => {
      const stem = [conv(64), relu(), ...drop(o.dropout), conv(64), relu(), ...drop(o.dropout), conv(64), relu(), pool()];
      const blocks: LayerInput[] = [];
      let ch = 64;
      [64, 128, 256, 512].forEach((width, stage) => {
        for (let b = 0; b < 2; b++) {
          blocks.push(...resBlock(ch, width, b === 0 && stage > 0 ? 2 : 1, o.dropout));
          ch = width;
        }
      });
      return [...stem, ...blocks, { kind: 'flatten' }, linear(o.classes)];
    },
  },
};

for (const [name, plan] of Object.entries(VGG_PLANS)) {
  BUILDERS[name] = {
    about: `${name.toUpperCase()} features ${plan.join(' ')} then a 2-hidden-layer classifier (SPEC §4e)`,
    input: { channels: 3, height: 32, width: 32 },
    hidden: name === 'vgg5' ? 1024 : 4096,
    dropout: 0.2,
    build: (o) => [
      ...vggFeatures(plan, o.dropout),
      { kind: 'flatten' },
      linear(o.hidden),
      relu(),
      ...drop(o.dropout),
      linear(o.hidden),
      relu(),
      ...drop(o.dropout),
      linear(o.classes),
    ],
  };
}

export const PRESET_NAMES = Object.keys(BUILDERS);

export function describePreset(name: string): string {
  const b = BUILDERS[name];
  if (b === undefined) throw new Error(`unknown model preset '${name}' (known: ${PRESET_NAMES.join(', ')})`);
  return b.about;
}

/** The ModelSpec of preset `name`, validated (shapes included). */
export function presetSpec(name: string, options: PresetOptions = {}): ModelSpec {
  const b = BUILDERS[name];
  if (b === undefined) throw new Error(`unknown model preset '${name}' (known: ${PRESET_NAMES.join(', ')})`);
  const opts = {
    input: options.input ?? b.input,
    classes: options.classes ?? 10,
    dropout: options.dropout ?? b.dropout,
    hidden: options.hidden ?? b.hidden,
  };
  const spec: ModelSpecInput = { name, input: opts.input, classes: opts.classes, layers: b.build(opts) };
  return parseWith(ModelSpec, spec, `preset ${name}`);
}
