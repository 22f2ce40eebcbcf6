import { describe, expectTypeOf, it } from 'vitest';
import type { Layer, LayerInput, ModelSpec, ModelSpecInput } from './model.js';
import type { NeuronSpec } from './neuron.js';
import type { TrainConfig } from './train.js';
import type { Shape } from './shapes.js';
import { ModelSpec as ModelSpecSchema } from './model.js';
import { NeuronSpec as NeuronSpecSchema } from './neuron.js';

// Compile-time checks (run by `tsc -p tsconfig.check.json`); the runtime parts are trivial.
describe('inferred types', () => {
  it('parsed types have defaults filled and narrow on kind', () => {
    const n = NeuronSpecSchema.parse({ kind: 'fs', activation: 'relu' });
    if (n.kind === 'fs') expectTypeOf(n.K).toEqualTypeOf<number>();
    if (n.kind === 'lif') expectTypeOf(n.leakMin).toEqualTypeOf<number | null>();
    expectTypeOf<NeuronSpec['kind']>().toEqualTypeOf<'if' | 'lif' | 'singleSpikeLif' | 'fs' | 'general' | 'integrator' | 'nirLif' | 'nirIf' | 'nirLi' | 'nirI' | 'nirCubaLif' | 'nirCubaLi' | 'nirThreshold'>();
    const spec = ModelSpecSchema.parse({ input: { channels: 1, height: 1, width: 1 }, classes: 1, layers: [{ kind: 'flatten' }] });
    expectTypeOf(spec).toEqualTypeOf<ModelSpec>();
    const l = spec.layers[0] as Layer;
    if (l.kind === 'residual') expectTypeOf(l.shortcut).toEqualTypeOf<Layer[]>();
    if (l.kind === 'conv2d') expectTypeOf(l.strides).toEqualTypeOf<number | [number, number]>();
    expectTypeOf<TrainConfig['batchSize']>().toEqualTypeOf<number>();
    expectTypeOf<Shape>().toEqualTypeOf<number[]>();
  });

  it('input types leave defaulted fields optional', () => {
    const input: ModelSpecInput = {
      input: { channels: 1, height: 2, width: 2 },
      classes: 4,
      layers: [{ kind: 'residual', body: [{ kind: 'conv2d', filters: 1, kernelSize: 1 }] }, { kind: 'flatten' }],
    };
    expectTypeOf(input.layers).toEqualTypeOf<LayerInput[]>();
    // @ts-expect-error filters is required
    const bad: LayerInput = { kind: 'conv2d', kernelSize: 3 };
    void bad;
  });
});
