/**
 * torchvision's ImageFolder layout: DIR/<class>/[subfolders/]<image>. Classes are the subfolder
 * names sorted by code point (Python's `sorted`), labels their positions; images are taken
 * class by class, each class's folders walked as `sorted(os.walk(..., followlinks=True))`
 * walks them, file names sorted. The result is torchvision's `ImageFolder.samples`, in order.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DataError } from '../errors.js';
import { compareCodePoints } from './order.js';

/** Extensions read (lower case); sharp decodes all of them. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp'];
/** torchvision's other IMG_EXTENSIONS: such a file is an image this loader cannot read. */
export const UNSUPPORTED_IMAGE_EXTENSIONS: readonly string[] = ['.ppm', '.bmp', '.pgm', '.tif', '.tiff'];

export interface ImageSample {
  /** Absolute path of the image file. */
  readonly file: string;
  /** Class index. */
  readonly label: number;
}

export interface ImageFolderScan {
  readonly dir: string;
  /** Class names, index = label. */
  readonly classes: readonly string[];
  readonly samples: readonly ImageSample[];
  /** Files with an image extension this loader cannot decode (.bmp, .tif, ...). */
  readonly unsupported: readonly string[];
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory(); // follows symlinks, as os.scandir's is_dir()
  } catch {
    return false;
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${dir}: folder not found`, { file: dir, cause: err });
    if (code === 'ENOTDIR') throw new DataError(`${dir}: is a file, not a folder`, { file: dir, cause: err });
    if (code === 'EACCES' || code === 'EPERM') throw new DataError(`${dir}: permission denied`, { file: dir, cause: err });
    throw new DataError(`${dir}: cannot list: ${(err as Error).message}`, { file: dir, cause: err });
  }
}

/** Subfolder names of `dir`, sorted as Python sorts strings. */
export async function subfolders(dir: string): Promise<string[]> {
  const names = await listDir(dir);
  const dirs: string[] = [];
  for (const n of names) if (await isDir(join(dir, n))) dirs.push(n);
  return dirs.sort(compareCodePoints);
}

/** Every folder under `root` (root included) with its files, as `sorted(os.walk(root, followlinks=True))`. */
async function walk(root: string): Promise<{ dir: string; files: string[] }[]> {
  const out: { dir: string; files: string[] }[] = [];
  const seen = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (seen.has(real)) return; // a symlink loop; os.walk would recurse until the path is too long
    seen.add(real);
    const files: string[] = [];
    for (const n of await listDir(dir)) {
      const p = join(dir, n);
      if (await isDir(p)) await visit(p);
      else files.push(n);
    }
    out.push({ dir, files: files.sort(compareCodePoints) });
  };
  await visit(root);
  return out.sort((a, b) => compareCodePoints(a.dir, b.dir));
}

/**
 * Scans an ImageFolder. Throws a DataError naming the folder when it has no class folders
 * or a class folder has no images (torchvision refuses both as well).
 */
export async function scanImageFolder(dir: string): Promise<ImageFolderScan> {
  const classes = await subfolders(dir);
  if (classes.length === 0) {
    const loose = (await listDir(dir)).filter((n) => IMAGE_EXTENSIONS.includes(extension(n))).length;
    throw new DataError(
      `${dir}: no class folders: expected the ImageFolder layout ${join(dir, '<class>', '<image>.jpg')}` +
        (loose > 0 ? ` (found ${loose} images directly in the folder; put each class in its own subfolder)` : ''),
      { file: dir },
    );
  }
  const samples: ImageSample[] = [];
  const unsupported: string[] = [];
  for (const [label, name] of classes.entries()) {
    const classDir = join(dir, name);
    let n = 0;
    for (const { dir: d, files } of await walk(classDir)) {
      for (const f of files) {
        const ext = extension(f);
        if (IMAGE_EXTENSIONS.includes(ext)) {
          samples.push({ file: join(d, f), label });
          n++;
        } else if (UNSUPPORTED_IMAGE_EXTENSIONS.includes(ext)) unsupported.push(join(d, f));
      }
    }
    if (n === 0) {
      throw new DataError(
        `${classDir}: empty class folder: no ${IMAGE_EXTENSIONS.join(', ')} images in class '${name}'` +
          ` (every subfolder of ${dir} is a class; remove the folder or add images)`,
        { file: classDir },
      );
    }
  }
  return { dir, classes, samples, unsupported };
}

/** The split folders of a dataset folder: train/ with val/ (or test/), or none. */
export async function splitFolders(dir: string): Promise<{ train: string; test: string } | undefined> {
  const subs = new Set(await subfolders(dir));
  const test = subs.has('val') ? 'val' : subs.has('test') ? 'test' : undefined;
  if (!subs.has('train') || test === undefined) return undefined;
  return { train: join(dir, 'train'), test: join(dir, test) };
}

/** `file` relative to `dir`, for messages and listings. */
export function rel(dir: string, file: string): string {
  return relative(dir, file) || '.';
}
