import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareOutputFolder } from '../../../src/cli/generate.command.ts';

describe('generate --out, checked before any work', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'darkroom-out-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates a missing nested folder', async () => {
    const out = path.join(root, 'renders', 'today', 'fox.png');
    expect(await prepareOutputFolder(out)).toBeUndefined();
    expect(statSync(path.dirname(out)).isDirectory()).toBe(true);
  });

  it('says plainly when part of the path is a file', async () => {
    const file = path.join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    const problem = await prepareOutputFolder(path.join(file, 'fox.png'));
    expect(problem).toMatch(/^--out .*fox\.png: cannot write into .*not-a-folder \(part of that path is a file, not a folder\)\.$/);
  });

  it('refuses a folder given as the output file', async () => {
    expect(await prepareOutputFolder(root)).toMatch(/that is a folder; give a file name such as/);
  });
});
