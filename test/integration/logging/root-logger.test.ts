/**
 * What the root logger writes, seen from outside the process as a log collector or a person
 * sees it: JSON lines with ISO-8601 times when stdout is a pipe, readable lines when asked for
 * (as on a terminal), secrets redacted either way.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../support/shared-dir.ts';

const run = promisify(execFile);

/** Logs two lines from a child whose stdout is a pipe; `pretty` as given (undefined = decide from the fd). */
async function logFromChild(pretty: boolean | undefined): Promise<string> {
  const loggerModule = path.join(projectRoot, 'src', 'logging', 'logger.ts');
  const script = [
    `import { createRootLogger, componentLogger } from ${JSON.stringify(loggerModule)};`,
    `const root = createRootLogger({ level: 'info', fileDescriptor: 1, pretty: ${String(pretty)} });`,
    `const log = componentLogger(root, 'queue');`,
    `log.info({ jobId: 'job-1', config: { discord: { token: 'hunter2' } } }, 'job.started');`,
    `log.debug('not at info level');`,
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: projectRoot, timeout: 60_000 });
  return stdout;
}

describe('root logger', () => {
  it('writes one JSON object per line with an ISO-8601 UTC time when stdout is not a terminal', async () => {
    const lines = (await logFromChild(undefined)).trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, component: 'queue', jobId: 'job-1', msg: 'job.started' });
    expect(line['time']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(String(line['time'])) - Date.now())).toBeLessThan(10 * 60_000);
    expect(JSON.stringify(line)).not.toContain('hunter2');
  });

  it('writes readable lines (level, component, message; no JSON) in pretty mode, as on a terminal', async () => {
    const output = await logFromChild(true);
    expect(() => JSON.parse(output.split('\n')[0] ?? '')).toThrow();
    expect(output).toMatch(/INFO.*job\.started/);
    expect(output).toMatch(/component: "queue"/);
    expect(output).toMatch(/jobId: "job-1"/);
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain('not at info level');
  });
});
