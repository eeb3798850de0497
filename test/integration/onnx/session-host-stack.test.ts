/**
 * The session host's worker thread has a stack sized for the process's command line:
 * onnxruntime's environment start-up scans `/proc/self/cmdline` recursively, and with Node's
 * default 4 MB worker stack a prompt of about 15 KB on the command line crashed
 * `darkroom generate` with SIGSEGV before the first step. The real CLI, in a child process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionHostStackSizeMb } from '../../../src/generation/onnx/worker-stack.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { projectRoot } from '../../support/shared-dir.ts';
import { makeTempDir } from './onnx-test-support.ts';

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function darkroom(args: readonly string[], env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'darkroom.mjs'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('the session host worker stack', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let model = '';

  beforeAll(async () => {
    root = await makeTempDir('stack');
    model = await buildFixtureModel(path.join(root.dir, 'tiny'), 'sd15-optimum', { withSafetyChecker: false });
  });
  afterAll(async () => {
    await root?.cleanup();
  });

  it('grows with the command line, from more than Node’s 4 MB default', () => {
    expect(sessionHostStackSizeMb(200)).toBeGreaterThan(4);
    // 290 bytes of stack per command-line byte were measured; the size must cover that with room.
    for (const bytes of [15_000, 120_000, 2 * 1024 * 1024]) {
      expect(sessionHostStackSizeMb(bytes) * 1024 * 1024).toBeGreaterThan(bytes * 290 * 1.5);
    }
  });

  it('generates an image from a 60 KB prompt given on the command line', async () => {
    // Under the 128 KB limit of one argument; 60 KB needed about 17 MB of stack (4 MB failed at 15 KB).
    const prompt = 'a photo of an old fishing boat in a harbour at dawn, '.repeat(1200);
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(60_000);
    const out = path.join(root.dir, 'long-prompt.png');
    const home = path.join(root.dir, 'home');
    mkdirSync(path.join(home, 'config'), { recursive: true });
    const result = await darkroom(
      ['generate', '--model', model, '--prompt', prompt, '--seed', '1', '--steps', '1', '--width', '64', '--height', '64', '--out', out],
      {
        DARKROOM_DATA_DIR: path.join(home, 'data'),
        DARKROOM_MODELS_DIR: path.join(home, 'models'),
        DARKROOM_CONFIG_DIR: path.join(home, 'config'),
        LOG_LEVEL: 'warn',
      },
    );
    expect({ signal: result.signal, code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ signal: null, code: 0, stderr: '' });
    expect(existsSync(out)).toBe(true);
  }, 180_000);
});
