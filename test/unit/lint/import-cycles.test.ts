/**
 * `npm run lint` fails on files that import each other in a circle (scripts/check-import-cycles.mjs),
 * type-only imports included, lazy `import()` not; the message names the loop.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, '../../../scripts/check-import-cycles.mjs');

async function check(folder: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, folder], { timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the import-cycle check', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'darkroom-cycles-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('fails on a ⇄ b through a type-only import and names the loop', async () => {
    await writeFile(path.join(folder, 'reply.ts'), "import { embed } from './embed.ts';\nexport interface File { name: string }\nexport const reply = embed;\n");
    await writeFile(path.join(folder, 'embed.ts'), "import type { File } from './reply.ts';\nexport const embed = (file: File): string => file.name;\n");
    await writeFile(path.join(folder, 'leaf.ts'), "import { embed } from './embed.ts';\nexport const leaf = embed;\n");
    const result = await check(folder);
    expect(result.code).toBe(1);
    expect(result.output).toContain('import cycles: 1');
    expect(result.output).toMatch(/embed\.ts → .*reply\.ts → .*embed\.ts/);
    expect(result.output).not.toContain('leaf.ts');
  });

  it('passes a tree whose only loop is a lazy import()', async () => {
    await writeFile(path.join(folder, 'cli.ts'), "export const run = async (): Promise<unknown> => (await import('./main.ts')).main;\n");
    await writeFile(path.join(folder, 'main.ts'), "import { run } from './cli.ts';\nexport const main = run;\n");
    const result = await check(folder);
    expect(result).toEqual({ code: 0, output: expect.stringContaining('import cycles: none in 2 files') });
  });
});
