/**
 * What spikelite's own WebAssembly kernels use of tfjs's wasm backend (internals, not its public
 * API): the heap's memory, where a tensor lives in it, output allocation, and malloc/free.
 * Kept in one place so a tfjs upgrade that moves them breaks here, once.
 */
export interface WasmTensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): WasmTensorInfo;
  typedArrayFromHeap(t: WasmTensorInfo): Float32Array;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { asm?: { memory?: unknown }; _malloc(bytes: number): number; _free(p: number): void };
}

/** The backend's heap memory, or null when `backend` is not tfjs's wasm backend. */
export function wasmHeapMemory(backend: unknown): WebAssembly.Memory | null {
  const memory = (backend as Partial<WasmBackendLike> | null)?.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/**
 * malloc on the backend's heap. Unsigned: emscripten returns a pointer past 2 GiB as a negative
 * int32 (tfjs converts the same way). May grow, and so replace, the heap's ArrayBuffer: re-view
 * memory after.
 */
export function wasmMalloc(backend: WasmBackendLike, bytes: number): number {
  return backend.wasm._malloc(bytes) >>> 0;
}
