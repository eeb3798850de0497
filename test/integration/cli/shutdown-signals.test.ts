/** Signals to a real process using Darkroom's shutdown handling: graceful first, immediate second. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../support/shared-dir.ts';

const child = path.join(projectRoot, 'test', 'integration', 'cli', 'fixtures', 'shutdown-child.ts');

function startChild(args: string[]) {
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  process_.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of waiting) if (stdout.includes(waiter.text)) waiter.resolve();
  });
  process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    process_.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  const printed = (text: string) => new Promise<void>((resolve) => (stdout.includes(text) ? resolve() : waiting.push({ text, resolve })));
  return { process: process_, finished, printed };
}

describe('shutdown on signals', () => {
  it('SIGTERM stops every part, newest first, and exits 0', async () => {
    const running = startChild([]);
    await running.printed('ready');
    running.process.kill('SIGTERM');
    const result = await running.finished;
    expect(result.code).toBe(0);
    const stops = result.stdout.split('\n').filter((line) => line.startsWith('stopped '));
    expect(stops).toEqual(['stopped adapter', 'stopped queue', 'stopped database']);
    expect(result.stdout).toContain('bye');
  });

  it('a second signal while a part is still stopping exits at once', async () => {
    const running = startChild(['--stuck']);
    await running.printed('ready');
    running.process.kill('SIGINT');
    await running.printed('stopping adapter');
    running.process.kill('SIGINT');
    const result = await running.finished;
    // 130 = 128 + SIGINT: ended by the second signal, long before the 60 s grace period.
    expect(result.code).toBe(130);
    expect(result.stdout).not.toContain('stopped adapter');
    expect(result.stdout).not.toContain('stopping queue');
  });
});
