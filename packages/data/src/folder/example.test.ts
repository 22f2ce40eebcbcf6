/** The README's image-folder example is examples/image-folder.ts, run here on the Fashion-MNIST PNG folder. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../examples/image-folder.js';
import { removeTempDirs, tempDir } from '../../test/fixtures.js';
import { extractTarGz } from '../../test/tar.js';

const HERE = dirname(fileURLToPath(import.meta.url));
afterAll(removeTempDirs);

describe('README example', () => {
  it('is the file the README shows', () => {
    const example = readFileSync(join(HERE, '../../examples/image-folder.ts'), 'utf8');
    const readme = readFileSync(join(HERE, '../../README.md'), 'utf8');
    expect(readme).toContain(example.trim());
  });

  it('runs on an ImageFolder with train/ and val/', async () => {
    const dir = tempDir();
    extractTarGz(join(HERE, '../../../../tooling/fixtures/folder/fashion-mnist-mini-png.tar.gz'), dir);
    expect(await main(dir)).toEqual({ test: 500, batches: 2 });
  });
});
