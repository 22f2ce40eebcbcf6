/**
 * `folder:DIR` and `list:FILE`, the dataset names that read image files. Kept apart from
 * the folder code so the registry can recognise them without loading it (or sharp).
 */
export const IMAGE_DATASET_SCHEMES = ['folder', 'list'] as const;
export type ImageDatasetScheme = (typeof IMAGE_DATASET_SCHEMES)[number];

/** `{ scheme, path }` for `folder:DIR` / `list:FILE`, else undefined. */
export function parseImageDatasetSpec(spec: string): { scheme: ImageDatasetScheme; path: string } | undefined {
  const m = /^(folder|list):(.*)$/.exec(spec);
  if (!m) return undefined;
  return { scheme: m[1] as ImageDatasetScheme, path: m[2]! };
}
