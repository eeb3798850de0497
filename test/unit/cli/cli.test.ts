import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliWith } from '../../../src/cli/cli.ts';
import type { Environment } from '../../../src/config/environment.ts';
import { projectRoot } from '../../support/shared-dir.ts';

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'darkroom-cli-unit-'));
  mkdirSync(path.join(root, 'config'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(argv: string[], env: Environment = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCliWith(argv, {
    env: { DARKROOM_CONFIG_DIR: path.join(root, 'config'), DARKROOM_DATA_DIR: path.join(root, 'data'), ...env },
    envFile: undefined,
    workingDir: root,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('darkroom CLI', () => {
  it('lists every command in its help and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of ['start', 'generate', 'models', 'db', 'doctor']) expect(out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('exits 1 on an unknown command', async () => {
    const { code, err } = await run(['strat']);
    expect(code).toBe(1);
    expect(err).toMatch(/unknown command/i);
  });

  it('--version prints the version from package.json and exits 0', async () => {
    const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { code, out } = await run([flag]);
      expect(code).toBe(0);
      expect(out).toBe(manifest.version);
    }
  });

  it('after a usage mistake prints the error and a pointer to --help, not the whole help', async () => {
    for (const argv of [['strat'], ['generate', '--prompt', 'a cat'], ['doctor', '--token-timeout', 'soon'], ['models', 'list', '--colour']]) {
      const { code, err } = await run(argv);
      expect(code, argv.join(' ')).toBe(1);
      const lines = err.split('\n').filter((line) => line.trim() !== '');
      expect(lines[0], argv.join(' ')).toMatch(/^error: /);
      // commander's own suggestion ("Did you mean start?") may come between them.
      expect(lines.at(-1), argv.join(' ')).toBe('(add --help for usage)');
      expect(lines.length, argv.join(' ')).toBeLessThanOrEqual(3);
      expect(err).not.toMatch(/Usage:|Options:|Commands:/);
    }
  });

  it('exits 2 on configuration problems and prints every one with its path or variable', async () => {
    writeFileSync(path.join(root, 'config', 'local.yaml'), 'queue:\n  perUserQueued: -1\n');
    try {
      const { code, err } = await run(['db', 'status'], { DATABASE_URL: 'mysql://root@localhost/darkroom', LOG_LEVEL: 'chatty' });
      expect(code).toBe(2);
      expect(err).toMatch(/3 problems/);
      expect(err).toMatch(/queue\.perUserQueued: .*\[config\/local\.yaml\]/);
      expect(err).toMatch(/DATABASE_URL: .*postgres/);
      expect(err).toMatch(/LOG_LEVEL: /);
    } finally {
      rmSync(path.join(root, 'config', 'local.yaml'));
    }
  });
});
