/**
 * What several runs of one process can share: datasets, ONNX imports and the onnxruntime
 * accuracy of an ONNX model on a test set. Runs given the same Resources (e.g. every method of
 * `spikelite compare`) load each once; results do not depend on the sharing.
 */
import type { Dataset, ImageSet } from '@spikelite/data';
import type { Network } from '@spikelite/models';
import { importOnnx, networkFromImport, OnnxImportError, OnnxReference, type OnnxImport } from '@spikelite/onnx';
import { PipelineError } from './errors.js';
import type { DataRef } from './run-spec.js';

export interface Resources {
  dataset(ref: DataRef, open: (ref: DataRef) => Promise<Dataset>): Promise<Dataset>;
  /** The ONNX file imported (errors as PipelineError naming the file). */
  onnx(file: string): OnnxImport;
  /** A new Network with the ONNX file's weights (the caller disposes it). */
  onnxNetwork(file: string): Network;
  /** Top-1 accuracy of the ONNX model under onnxruntime on `set` (`dataKey` names the set). */
  referenceAccuracy(file: string, dataKey: string, set: ImageSet): Promise<number>;
}

export function createResources(): Resources {
  const datasets = new Map<string, Promise<Dataset>>();
  const imports = new Map<string, OnnxImport>();
  const accuracies = new Map<string, Promise<number>>();
  const onnx = (file: string): OnnxImport => {
    let imported = imports.get(file);
    if (imported === undefined) {
      try {
        imported = importOnnx(file);
      } catch (e) {
        if (e instanceof OnnxImportError) throw new PipelineError(e.message);
        throw e;
      }
      imports.set(file, imported);
    }
    return imported;
  };
  return {
    dataset(ref, open) {
      const key = JSON.stringify([ref.name, ref.limitTrain ?? null, ref.limitTest ?? null]);
      let d = datasets.get(key);
      if (d === undefined) {
        d = open(ref);
        datasets.set(key, d);
        d.catch(() => datasets.delete(key));
      }
      return d;
    },
    onnx,
    onnxNetwork: (file) => networkFromImport(onnx(file)),
    referenceAccuracy(file, dataKey, set) {
      const key = JSON.stringify([file, dataKey]);
      let a = accuracies.get(key);
      if (a === undefined) {
        a = (async () => {
          const reference = await OnnxReference.open(file);
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
  };
}
