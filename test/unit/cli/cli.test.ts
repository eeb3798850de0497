import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliWith } from '../../../src/cli/cli.ts';
import type { Environment } from '../../../src/config/environment.ts';

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
