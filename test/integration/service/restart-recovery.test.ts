/**
 * Restart safety, end to end: a process running the service (file-backed PGlite, local image
 * store, slow fake engine) is killed with SIGKILL in the middle of its queue; a second process
 * on the same data folder picks up what was left. Every accepted job must end `succeeded`
 * exactly once, with its images on disk, and none may be lost.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.ts';
import { createRepositories } from '../../../src/db/index.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { projectRoot } from '../../support/shared-dir.ts';

const CHILD = path.join(projectRoot, 'test', 'integration', 'service', 'support', 'service-worker.child.ts');
const JOBS = 12;

interface ChildEvent {
  event: string;
  id?: string;
  user?: string;
  count?: number;
  ids?: string[];
  recovered?: boolean;
}

interface ChildRun {
  events: ChildEvent[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the worker; `killWhen` decides, after each event, whether to SIGKILL it. */
function runWorker(dataDir: string, jobs: number, killWhen: (events: ChildEvent[]) => boolean, fastJobs?: number): Promise<ChildRun> {
  const args = [CHILD, dataDir, String(jobs), '40', ...(fastJobs === undefined ? [] : [String(fastJobs)])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
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
      events.push(JSON.parse(line) as ChildEvent);
      if (killWhen(events)) child.kill('SIGKILL');
    }
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ events, signal, code, stderr })));
}

const ids = (run: ChildRun, event: string) => run.events.filter((entry) => entry.event === event).map((entry) => entry.id as string);

describe('restart recovery across a kill -9', () => {
  let dataDir: string;
  let first: ChildRun;
  let second: ChildRun;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'darkroom-restart-'));
    seedMigratedDataDir(dataDir);
    // Kill once all jobs are accepted, three have finished and the fourth has started. The fourth
    // never ends by itself (the child's first three jobs are the only fast ones), so the kill always
    // lands mid-queue, however late this process reads the child's lines.
    first = await runWorker(dataDir, JOBS, (events) => {
      const accepted = events.filter((entry) => entry.event === 'accepted').length;
      const finished = events.filter((entry) => entry.event === 'finished').length;
      const started = events.filter((entry) => entry.event === 'started').length;
      return accepted === JOBS && finished >= 3 && started > finished;
    }, 3);
    second = await runWorker(dataDir, 0, () => false);
  }, 180_000);
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('killed the first process mid-queue and let the second one finish', () => {
    expect(first.signal, first.stderr).toBe('SIGKILL');
    expect(ids(first, 'accepted')).toHaveLength(JOBS);
    expect(ids(first, 'finished').length).toBeLessThan(JOBS);
    expect(second.code, second.stderr).toBe(0);
  });

  it('re-queued exactly the unfinished jobs (including the interrupted one) in acceptance order', () => {
    const accepted = ids(first, 'accepted');
    const recovered = second.events.find((entry) => entry.event === 'recovered')?.ids ?? [];
    const finishedFirst = new Set(ids(first, 'finished'));
    // In acceptance order: a subsequence of the accepted ids.
    expect(recovered).toEqual(accepted.filter((id) => recovered.includes(id)));
    // Everything not announced as finished is recovered, except at most the one job (concurrency 1)
    // whose success may have been committed in the instant before the kill.
    const unaccounted = accepted.filter((id) => !finishedFirst.has(id) && !recovered.includes(id));
    expect(unaccounted.length).toBeLessThanOrEqual(1);
    expect(second.events.filter((entry) => entry.event === 'queued').every((entry) => entry.recovered === true)).toBe(true);
    // Nothing that was announced as finished runs again; everything else is picked up.
    for (const id of recovered) expect(finishedFirst.has(id)).toBe(false);
    const interrupted = ids(first, 'started').filter((id) => !finishedFirst.has(id));
    expect(interrupted.length).toBeGreaterThan(0);
    for (const id of interrupted.filter((id) => !unaccounted.includes(id))) expect(recovered).toContain(id);
    // Recovered jobs of each person start in the order they were accepted.
    const startedSecond = second.events.filter((entry) => entry.event === 'started');
    for (const person of ['ann', 'ben', 'cat']) {
      const acceptedOrder = first.events.filter((entry) => entry.event === 'accepted' && entry.user === person).map((entry) => entry.id);
      const startOrder = startedSecond.filter((entry) => entry.user === person).map((entry) => entry.id);
      expect(startOrder).toEqual(acceptedOrder.filter((id) => startOrder.includes(id)));
    }
  });

  /** What a failed assertion should show: the row's error, what each process said about the job, their stderr. */
  function explainFailure(id: string, errorCode: string | undefined, errorMessage: string | undefined): string {
    const about = (run: ChildRun) => run.events.filter((entry) => entry.id === id || entry.ids?.includes(id) === true).map((entry) => JSON.stringify(entry));
    return [
      `${id}: error ${errorCode ?? '-'}: ${errorMessage ?? '-'}`,
      `first process: ${about(first).join(' ')}`,
      `second process: ${about(second).join(' ')}`,
      `first stderr: ${first.stderr.slice(-4000)}`,
      `second stderr: ${second.stderr.slice(-4000)}`,
    ].join('\n');
  }

  it('finished every accepted job exactly once, with its images on disk', async () => {
    const finishedCounts = new Map<string, number>();
    for (const id of [...ids(first, 'finished'), ...ids(second, 'finished')]) finishedCounts.set(id, (finishedCounts.get(id) ?? 0) + 1);
    for (const count of finishedCounts.values()) expect(count).toBe(1);
    const database = await openDatabase({ url: undefined, dataDir, logger: undefined });
    try {
      const repositories = createRepositories(database, systemClock);
      for (const id of ids(first, 'accepted')) {
        const row = await repositories.generations.get(id);
        expect(row?.status, row?.status === 'succeeded' ? id : explainFailure(id, row?.errorCode, row?.errorMessage)).toBe('succeeded');
        expect(row?.images.map((image) => image.index)).toEqual([0, 1]);
        for (const image of row?.images ?? []) {
          const file = await stat(path.join(dataDir, 'images', image.fileKey));
          expect(file.size).toBe(image.bytes);
        }
      }
      // Jobs neither process announced (killed between commit and event) still succeeded once:
      // the second process did not run them again.
      const announced = new Set(finishedCounts.keys());
      const silent = ids(first, 'accepted').filter((id) => !announced.has(id));
      const recoveredIds = second.events.find((entry) => entry.event === 'recovered')?.ids ?? [];
      for (const id of silent) expect(recoveredIds).not.toContain(id);
    } finally {
      await database.close();
    }
  });
});
