/**
 * What several runs of one process can share: datasets, ONNX imports and the onnxruntime
 * accuracy of an ONNX model on a test set. Runs given the same Resources (e.g. every method of
 * `spikelite compare`) load each once; results do not depend on the sharing.
 */
import type { Dataset, ImageSet } from '@spikelite/data';
import type { Network } from '@spikelite/models';
import { importOnnx, networkFromImport, OnnxImportError, OnnxReference, type ImportOptions, type OnnxImport } from '@spikelite/onnx';
import { sha256File } from './content-hash.js';
import { PipelineError } from './errors.js';
import type { DataRef, OnnxInput } from './run-spec.js';

/** importOnnx's options for a model reference's input options. */
export function onnxImportOptions(o: OnnxInput = {}): ImportOptions {
  return {
    ...(o.inputShape !== undefined ? { inputShape: o.inputShape } : {}),
    ...(o.mean !== undefined && o.std !== undefined ? { normalize: { mean: o.mean, std: o.std } } : {}),
  };
}

export interface Resources {
  /** The dataset `open` loads for `ref` (and, for image files, the model's `classes`), loaded once per process. */
  dataset(ref: DataRef, open: (ref: DataRef) => Promise<Dataset>, classes?: number | readonly string[]): Promise<Dataset>;
  /** The ONNX file imported with its input options (errors as PipelineError naming the file). */
  onnx(file: string, input?: OnnxInput): OnnxImport;
  /** A new Network with the ONNX file's weights (the caller disposes it). */
  onnxNetwork(file: string, input?: OnnxInput): Network;
  /** Top-1 accuracy of the ONNX model under onnxruntime on `set` (`dataKey` names the set), given raw images (normalised as `input` says). */
  referenceAccuracy(file: string, dataKey: string, set: ImageSet, input?: OnnxInput): Promise<number>;
  /** The sha256 of a file's bytes (hashed once per file). */
  sha256(file: string): Promise<string>;
}

export function createResources(): Resources {
  const datasets = new Map<string, Promise<Dataset>>();
  const imports = new Map<string, OnnxImport>();
  const accuracies = new Map<string, Promise<number>>();
  const hashes = new Map<string, Promise<string>>();
  const onnx = (file: string, input: OnnxInput = {}): OnnxImport => {
    const key = JSON.stringify([file, input.inputShape ?? null, input.mean ?? null, input.std ?? null]);
    let imported = imports.get(key);
    if (imported === undefined) {
      try {
        imported = importOnnx(file, onnxImportOptions(input));
      } catch (e) {
        if (e instanceof OnnxImportError) throw new PipelineError(e.message);
        throw e;
      }
      imports.set(key, imported);
    }
    return imported;
  };
  return {
    dataset(ref, open, classes) {
      const key = JSON.stringify([ref.name, ref.limitTrain ?? null, ref.limitTest ?? null, ref.preprocess ?? null, ref.onError ?? null, ref.bins ?? null, classes ?? null]);
      let d = datasets.get(key);
      if (d === undefined) {
        d = open(ref);
        datasets.set(key, d);
        d.catch(() => datasets.delete(key));
      }
      return d;
    },
    onnx,
    onnxNetwork: (file, input) => networkFromImport(onnx(file, input)),
    referenceAccuracy(file, dataKey, set, input = {}) {
      const key = JSON.stringify([file, dataKey, input.mean ?? null, input.std ?? null]);
      let a = accuracies.get(key);
      if (a === undefined) {
        a = (async () => {
          const normalize = input.mean !== undefined && input.std !== undefined ? { mean: input.mean, std: input.std } : null;
          const reference = await OnnxReference.open(file, { normalize });
          try {
            return await reference.accuracy(set);
          } finally {
            await reference.close();
          }
        })();
        accuracies.set(key, a);
      }
      return a;
    },
    sha256(file) {
      let h = hashes.get(file);
      if (h === undefined) {
        h = sha256File(file);
        hashes.set(file, h);
        h.catch(() => hashes.delete(file));
      }
      return h;
    },
  };
}
