import { ModelSpec, SpikeliteConfigError, inferShapes, parseJsonText } from '@spikelite/schemas';

export function readmeExample() {
  const json = `{
    "name": "fmnist-small",
    "input": { "channels": 1, "height": 28, "width": 28 },
    "classes": 10,
    "layers": [
      { "kind": "conv2d", "filters": 32, "kernelSize": 3 },
      { "kind": "activation", "fn": "relu" },
      { "kind": "avgPool" },
      { "kind": "conv2d", "filters": 64, "kernelSize": 3 },
      { "kind": "activation", "fn": "relu" },
      { "kind": "avgPool" },
      { "kind": "flatten" },
      { "kind": "linear", "units": 128 },
      { "kind": "activation", "fn": "relu" },
      { "kind": "linear", "units": 10 }
    ]
  }`;

  const spec: ModelSpec = parseJsonText(json, ModelSpec, 'spec.json');
  console.log(spec.layers[0]);
  // { kind: 'conv2d', filters: 32, kernelSize: 3, strides: 1, padding: 'same', dilations: 1, groups: 1, useBias: false }
  const shapes = inferShapes(spec);
  for (const [i, shape] of shapes.entries()) console.log(i, spec.layers[i]?.kind, shape);
  // 0 conv2d [28, 28, 32]   1 activation [28, 28, 32]   2 avgPool [14, 14, 32]   3 conv2d [14, 14, 64]
  // 4 activation [14, 14, 64]   5 avgPool [7, 7, 64]   6 flatten [3136]   7 linear [128]
  // 8 activation [128]   9 linear [10]

  // A misspelled field is an error naming it, not a silently applied default.
  let error = '';
  try {
    parseJsonText(json.replace('"kernelSize": 3 }', '"kernelSize": 3, "stride": 2 }'), ModelSpec, 'spec.json');
  } catch (e) {
    if (e instanceof SpikeliteConfigError) error = e.message; // spec.json: layers.0.stride: unknown field
  }
  return { first: spec.layers[0], shapes, error };
}
