/**
 * A job that takes its process down (out of memory, a native crash) must not do it again at
 * every restart. Real processes on one data folder: the first is killed (SIGKILL) while the job
 * runs, the second recovers it and is killed again while it runs it, the third fails it as
 * `crash_loop` — its owner is told in plain words — and runs the job queued behind it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.ts';
import { createRepositories } from '../../../src/db/index.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { projectRoot } from '../../support/shared-dir.ts';

const CHILD = path.join(projectRoot, 'test', 'integration', 'service', 'support', 'service-worker.child.ts');
/**
 * Steps of the processes the test kills: an hour, so a job never ends by itself and the kill
 * always lands while it runs, however loaded the machine. The last process runs at normal speed.
 */
const HANGING_STEP_MS = '3600000';
const STEP_MS = '20';

interface ChildEvent {
  event: string;
  id?: string;
  code?: string;
  message?: string;
  ids?: string[];
}

interface ChildRun {
  events: ChildEvent[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the worker; SIGKILLs it after the event for which `killWhen` says so. */
function runWorker(dataDir: string, jobs: number, stepMs: string, killWhen: (event: ChildEvent, events: ChildEvent[]) => boolean): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(jobs), stepMs], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: ChildEvent[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as ChildEvent;
      events.push(event);
      if (killWhen(event, events)) child.kill('SIGKILL');
    }
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ events, signal, code, stderr })));
}

describe('a job that crashes its process twice', () => {
  let dataDir: string;
  let crashing: string;
  let behind: string;
  const runs: ChildRun[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'darkroom-crash-loop-'));
    seedMigratedDataDir(dataDir);
    // Two jobs; the first one "crashes" the process whenever it starts (the test kills it then).
    // Killed once both are accepted and the first has started (in whichever order those lines come).
    const first = await runWorker(dataDir, 2, HANGING_STEP_MS, (_event, events) => {
      const accepted = events.filter((entry) => entry.event === 'accepted');
      return accepted.length === 2 && events.some((entry) => entry.event === 'started' && entry.id === accepted[0]?.id);
    });
    runs.push(first);
    const ids = first.events.filter((entry) => entry.event === 'accepted').map((entry) => entry.id as string);
    [crashing = '', behind = ''] = ids;
    // Killed at the first start (whichever job: no job of a hanging process ever ends).
    runs.push(await runWorker(dataDir, 0, HANGING_STEP_MS, (event) => event.event === 'started'));
    runs.push(await runWorker(dataDir, 0, STEP_MS, () => false));
  }, 240_000);
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('was killed twice while running it, then recovered without running it again', () => {
    const [first, second, third] = runs;
    expect(first?.signal, first?.stderr).toBe('SIGKILL');
    expect(second?.signal, second?.stderr).toBe('SIGKILL');
    expect(second?.events.find((entry) => entry.event === 'recovered')?.ids).toContain(crashing);
    expect(second?.events.find((entry) => entry.event === 'started')?.id).toBe(crashing);
    expect(third?.code, third?.stderr).toBe(0);
    const startedThird = third?.events.filter((entry) => entry.event === 'started').map((entry) => entry.id);
    expect(startedThird).toEqual([behind]);
  });

  it('told the owner why, in plain words, and ran the job behind it', () => {
    const third = runs[2];
    const failed = third?.events.find((entry) => entry.event === 'failed');
    expect(failed).toMatchObject({ id: crashing, code: 'crash_loop' });
    expect(failed?.message).toContain('This job stopped Darkroom twice while it ran, so it will not be run again.');
    expect(third?.events.filter((entry) => entry.event === 'finished').map((entry) => entry.id)).toEqual([behind]);
  });

  it('left the row failed as crash_loop after two attempts', async () => {
    const database = await openDatabase({ url: undefined, dataDir, logger: undefined });
    try {
      const repositories = createRepositories(database, systemClock);
      const row = await repositories.generations.get(crashing);
      expect([row?.status, row?.errorCode]).toEqual(['failed', 'crash_loop']);
      expect((await repositories.jobLeases.get(crashing))?.attempts).toBe(2);
      expect((await repositories.generations.get(behind))?.status).toBe('succeeded');
    } finally {
      await database.close();
    }
  });
});
