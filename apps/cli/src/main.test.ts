/**
 * The `spikelite` entry point, spawned from dist/main.js (rebuilt incrementally first): usage,
 * --version, unknown commands, and every registered command's --help.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, buildCliOnce, cliDir, spawnCli as cli } from './test-support.js';

/** The commands the usage text lists (the lines under "commands:"). */
function listedCommands(usage: string): string[] {
  const block = usage.split('commands:\n')[1]?.split('\n\n')[0] ?? '';
  return block.split('\n').map((l) => /^ {2}(\S+) +\S/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
}

beforeAll(buildCliOnce, BUILD_TIMEOUT_MS);

describe('spikelite', () => {
  it('no arguments: the usage on stderr, exit 2; --help: the same on stdout, exit 0', () => {
    const r = cli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^usage: spikelite <command> \[flags\]/m);
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toBe(r.stderr);
    // Every command with a description, and 2-3 examples.
    for (const name of ['compare', 'train', 'convert', 'import', 'export', 'eval', 'energy', 'report', 'bench']) expect(listedCommands(h.stdout)).toContain(name);
    const examples = h.stdout.split('examples:\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const e of examples) expect(e).toMatch(new RegExp(`^ {2}spikelite (${listedCommands(h.stdout).join('|')}) `));
  });

  it('--version: the package version', () => {
    const { version } = JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as { version: string };
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('an unknown command or a flag before the command: one line, exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['trian'], /^spikelite: unknown command 'trian' \(commands: .*train.*; spikelite --help\)\n$/],
      [['--json', 'train'], /^spikelite: unknown flag '--json' before the command/],
      [['help', 'trian'], /^spikelite: help: unknown command 'trian'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });

  it('a bad SPIKELITE_BACKEND is a user error naming the variable', () => {
    const r = cli(['bench', '--steps', '1'], { SPIKELITE_BACKEND: 'gpu' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("spikelite: SPIKELITE_BACKEND: unknown backend 'gpu' (expected one of: auto, tensorflow, wasm, cpu)\n");
  });

  it('every listed command: --help (and `help <cmd>`) exits 0 with an Example', () => {
    const commands = listedCommands(cli(['--help']).stdout);
    expect(commands.length).toBeGreaterThanOrEqual(9);
    for (const name of commands) {
      const r = cli([name, '--help']);
      expect(r.code, `${name} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout, name).toMatch(/^spikelite /);
      expect(r.stdout, name).toMatch(/^Examples?:/m);
      expect(r.stdout, name).toContain(`spikelite ${name}`);
      expect(cli(['help', name]).stdout, name).toBe(r.stdout);
    }
    // --help wins over a bad flag on the same line.
    const train = cli(['train', '--not-a-flag', '-h']);
    expect(train.code).toBe(0);
    expect(train.stdout).toBe(cli(['help', 'train']).stdout);
  }, 120_000);
});
