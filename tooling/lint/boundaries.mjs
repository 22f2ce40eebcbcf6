#!/usr/bin/env node
/**
 * Enforces the package boundaries of DESIGN.md ("Dependencies point one way"):
 *  1. a package may depend only on the @spikelite packages listed for it in ALLOWED;
 *  2. every bare import in a package's sources is declared in its package.json;
 *  3. only @spikelite/onnx (and apps) may import onnxruntime-node; only @spikelite/pipelines
 *     may import bullmq (apps included: the CLI runs sweeps through pipelines);
 *  4. no library imports an app.
 * Exits 1 with one line per violation.
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** Which @spikelite packages each library may use. Apps may use any library. */
export const ALLOWED = {
  schemas: [],
  engine: ['schemas'],
  data: ['schemas', 'engine'],
  encoding: ['schemas', 'engine'],
  neurons: ['schemas', 'engine'],
  losses: ['schemas', 'engine'],
  models: ['schemas', 'engine', 'encoding', 'neurons', 'losses'],
  energy: ['schemas', 'engine', 'models'],
  training: ['schemas', 'engine', 'encoding', 'neurons', 'losses', 'models', 'data', 'energy'],
  conversion: ['schemas', 'engine', 'encoding', 'neurons', 'losses', 'models', 'data', 'energy', 'training'],
  onnx: ['schemas', 'engine', 'encoding', 'neurons', 'losses', 'models', 'data', 'energy', 'training', 'conversion'],
  nir: ['schemas', 'engine', 'encoding', 'neurons', 'losses', 'models', 'data', 'energy', 'training', 'conversion'],
  pipelines: ['schemas', 'engine', 'encoding', 'neurons', 'losses', 'models', 'data', 'energy', 'training', 'conversion', 'onnx', 'nir'],
};
/**
 * Packages a library may use in its tests only (a devDependency, imported from *.test.ts and
 * test/ files, never from its sources): siblings whose outputs a test needs as fixtures.
 * nir's export round trip converts an ONNX-imported network.
 */
export const TEST_ONLY = {
  nir: ['onnx'],
};
const ONNXRUNTIME_OK = new Set(['onnx']);
const BULLMQ_OK = new Set(['pipelines']);
const BUILTIN = /^node:|^(fs|path|os|url|zlib|crypto|util|stream|events|child_process|worker_threads|perf_hooks|readline|assert|process)(\/|$)/;

function sources(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sources(p);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [p] : [];
  });
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const out = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out.filter((s) => s !== undefined && !s.startsWith('.') && !s.startsWith('/'));
}

const pkgName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

// Tests may use the workspace root's dev tools (vitest) without redeclaring them.
const rootDev = new Set(Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies ?? {}));
const isTest = (file) => /\.test\.tsx?$/.test(file) || /\/test\//.test(file);

const errors = [];
for (const group of ['packages', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const dir of readdirSync(base)) {
    const pj = join(base, dir, 'package.json');
    if (!existsSync(pj)) continue;
    const manifest = JSON.parse(readFileSync(pj, 'utf8'));
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies }));
    const isApp = group === 'apps';
    if (!isApp && !(dir in ALLOWED)) errors.push(`${group}/${dir}: not in the boundary table of tooling/lint/boundaries.mjs; add it there`);
    for (const dep of declared) {
      if (!dep.startsWith('@spikelite/') || dep === '@spikelite/tsconfig') continue;
      const target = dep.slice('@spikelite/'.length);
      const testOnly = (TEST_ONLY[dir] ?? []).includes(target) && !(dep in (manifest.dependencies ?? {}));
      if (!isApp && !(ALLOWED[dir] ?? []).includes(target) && !testOnly) {
        errors.push(`${group}/${dir}/package.json: may not depend on ${dep} (allowed: ${(ALLOWED[dir] ?? []).join(', ') || 'none'})`);
      }
      if (!isApp && existsSync(join(root, 'apps', target))) errors.push(`${group}/${dir}: a library may not depend on the app ${dep}`);
    }
    for (const file of [...sources(join(base, dir, 'src')), ...sources(join(base, dir, 'test'))]) {
      for (const spec of importsOf(file)) {
        if (BUILTIN.test(spec)) continue;
        const name = pkgName(spec);
        const where = relative(root, file);
        if (!declared.has(name) && name !== manifest.name && !(isTest(file) && rootDev.has(name))) errors.push(`${where}: imports '${name}' which ${manifest.name}'s package.json does not declare`);
        if (name === 'onnxruntime-node' && !isApp && !ONNXRUNTIME_OK.has(dir)) errors.push(`${where}: only @spikelite/onnx may import onnxruntime-node`);
        if ((name === 'bullmq' || name === 'ioredis') && (isApp || !BULLMQ_OK.has(dir))) errors.push(`${where}: only @spikelite/pipelines may import ${name}`);
        if (!isApp && !isTest(file) && name.startsWith('@spikelite/') && (TEST_ONLY[dir] ?? []).includes(name.slice('@spikelite/'.length))) {
          errors.push(`${where}: imports '${name}', which ${manifest.name} may use in its tests only`);
        }
      }
    }
  }
}
if (errors.length > 0) {
  for (const e of errors) console.error(`boundaries: ${e}`);
  process.exit(1);
}
console.log('boundaries: ok');
