/**
 * Decoding JPEG, PNG and WebP files with sharp (libvips; its prebuilt binaries come as npm
 * optional packages, nothing is downloaded at install). The result is what torchvision's
 * ImageFolder loader hands to the transforms, `Image.open(f).convert('RGB')`: 8-bit RGB, alpha
 * dropped without compositing, grey copied to three channels, no EXIF rotation and no ICC
 * colour conversion (Pillow does neither). sharp is imported on first use, so merely
 * importing this module loads no native code.
 */
import type { U8Image } from '../preprocess/image.js';
import { DataError } from '../errors.js';
import { readBytes } from '../files.js';

type Sharp = (typeof import('sharp'))['default'];
let sharpModule: Promise<Sharp> | undefined;

/** A decoding or reading failure of one image: `onError: 'skip'` may pass over these. */
export class ImageFileError extends DataError {
  constructor(file: string, problem: string, cause?: unknown) {
    super(`${file}: ${problem}`, { file, cause });
  }
}

async function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then(
    (m) => m.default,
    (err: unknown) => {
      sharpModule = undefined;
      throw new DataError(
        `cannot load the image decoder sharp (${(err as Error).message.split('\n')[0]}); ` +
          `its native binary is the optional npm package @img/sharp-${process.platform}-${process.arch}: reinstall with optional dependencies`,
        { cause: err },
      );
    },
  );
  return sharpModule;
}

/** Drops alpha and copies grey to RGB: Pillow's convert('RGB') for L, LA, RGB, RGBA. */
function rgbFromRaw(data: Uint8Array, width: number, height: number, channels: number): U8Image {
  if (channels === 3) return { data, width, height, channels: 3 };
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (channels <= 2) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[s]!;
    else {
      out[3 * i] = data[s]!;
      out[3 * i + 1] = data[s + 1]!;
      out[3 * i + 2] = data[s + 2]!;
    }
  }
  return { data: out, width, height, channels: 3 };
}

/** Decodes image bytes to 8-bit RGB; `file` names the image in errors. */
export async function decodeImage(bytes: Uint8Array, file: string): Promise<U8Image> {
  const sharp = await loadSharp();
  try {
    // failOn 'truncated': a cut-off file fails, as Pillow refuses it ("image file is truncated");
    // libjpeg's mere warnings (which Pillow ignores) do not.
    const { data, info } = await sharp(bytes, { failOn: 'truncated', ignoreIcc: true })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return rgbFromRaw(raw, info.width, info.height, info.channels);
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0]!.trim();
    throw new ImageFileError(file, `cannot decode image (${msg || 'unknown error'}); expected a JPEG, PNG or WebP file`, err);
  }
}

/** Reads and decodes one image file. */
export async function decodeImageFile(file: string): Promise<U8Image> {
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(file);
  } catch (err) {
    throw new ImageFileError(file, (err as DataError).message.slice(file.length + 2), err);
  }
  return decodeImage(bytes, file);
}
