/**
 * A PostgreSQL server that cannot be used (nothing listening on the port, no such database, a
 * login refused) is one plain sentence with the location, password hidden, and what to check,
 * in `db status`, `db migrate`, `doctor` and `start`, instead of Prisma's stack. Against the
 * real local server of the PostgreSQL tier.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, openDatabase } from '../../../src/db/database.ts';
import { postgresTier } from '../../support/postgres-tier.ts';
import { cleanEnvironment, runDarkroom, type Finished } from './darkroom-process.ts';

const tier = postgresTier();
const PASSWORD = 's3cret-pw';

/** The tier's server URL with one part changed. */
function variant(change: (url: URL) => void): string {
  const url = new URL(tier.url);
  change(url);
  return url.toString();
}

const CASES = tier.url === ''
  ? []
  : [
      {
        reason: 'unreachable',
        url: variant((url) => {
          url.hostname = '127.0.0.1';
          url.port = '1';
        }),
        sentence: /^Cannot reach the PostgreSQL server at 127\.0\.0\.1:1 \(DATABASE_URL postgresql:\/\/[^)]*\): check that PostgreSQL is running there and that the host name and port are right\.$/,
      },
      {
        reason: 'unknown_database',
        url: variant((url) => (url.pathname = '/darkroom_no_such_db')),
        sentence: /^The PostgreSQL server at [^ ]+ has no database "darkroom_no_such_db" \(DATABASE_URL [^)]*\): create it \(createdb darkroom_no_such_db\) or fix the database name in DATABASE_URL\.$/,
      },
      {
        reason: 'access_denied',
        url: variant((url) => {
          url.username = 'darkroom_no_such_role';
          url.password = PASSWORD;
        }),
        sentence: /^The PostgreSQL server at [^ ]+ refused to let "darkroom_no_such_role" log in to "[^"]+" \(DATABASE_URL postgresql:\/\/darkroom_no_such_role:\*\*\*@[^)]*\): check the user name and password in DATABASE_URL, and that this role exists and may connect\.$/,
      },
    ] as const;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function environment(databaseUrl: string): { cwd: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(path.join(tmpdir(), 'darkroom-dberr-'));
  roots.push(root);
  const cwd = path.join(root, 'cwd');
  mkdirSync(cwd);
  mkdirSync(path.join(root, 'config'));
  return {
    cwd,
    env: cleanEnvironment({
      DATABASE_URL: databaseUrl,
      DARKROOM_DATA_DIR: path.join(root, 'data'),
      DARKROOM_MODELS_DIR: path.join(root, 'models'),
      DARKROOM_CONFIG_DIR: path.join(root, 'config'),
    }),
  };
}

/** What a person reads: the sentence on stderr, no Prisma internals, no password. */
function expectPlainSentence(finished: Finished, sentence: RegExp): void {
  const printed = `${finished.stdout}\n${finished.stderr}`;
  expect(finished.code).toBe(1);
  expect(printed).not.toContain(PASSWORD);
  expect(printed).not.toMatch(/PrismaClient|RequestHandler|^\s+at /m);
  expect(finished.stderr.trim().split('\n')).toHaveLength(1);
  expect(finished.stderr.trim()).toMatch(sentence);
}

describe(`database failures in plain words${tier.skipReason}`, () => {
  it.skipIf(tier.url === '').each(CASES.map((item) => [item.reason, item] as const))('%s: status and migrate reject with the sentence', async (reason, item) => {
    const database = await openDatabase({ url: item.url, dataDir: tmpdir(), logger: undefined });
    try {
      for (const work of [() => database.status(), () => database.migrate()]) {
        const error: unknown = await work().then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(DatabaseUnavailableError);
        expect((error as DatabaseUnavailableError).reason).toBe(reason);
        expect((error as Error).message).toMatch(item.sentence);
        expect((error as Error).message).not.toContain(PASSWORD);
      }
    } finally {
      await database.close();
    }
  });

  it.skipIf(tier.url === '').each(CASES.map((item) => [item.reason, item] as const))('%s: darkroom db status prints the sentence and exits 1', async (_reason, item) => {
    const { cwd, env } = environment(item.url);
    expectPlainSentence(await runDarkroom(['db', 'status'], cwd, env), item.sentence);
  });

  it.skipIf(tier.url === '')('darkroom db migrate prints the sentence for an unknown database', async () => {
    const item = CASES[1];
    const { cwd, env } = environment(item.url);
    expectPlainSentence(await runDarkroom(['db', 'migrate'], cwd, env), item.sentence);
  });

  it.skipIf(tier.url === '')('darkroom start prints the sentence for a refused login and exits 1, its log without a stack', async () => {
    const item = CASES[2];
    const { cwd, env } = environment(item.url);
    const finished = await runDarkroom(['start'], cwd, env);
    expectPlainSentence(finished, item.sentence);
    expect(finished.stdout).toContain('"reason":"access_denied"');
  });

  it.skipIf(tier.url === '')('darkroom doctor reports the sentence under Database and as the step to fix', async () => {
    const item = CASES[0];
    const { cwd, env } = environment(item.url);
    const finished = await runDarkroom(['doctor', '--offline'], cwd, env);
    expect(finished.code).toBe(1);
    const databaseLine = finished.stdout.split('\n').find((line) => line.startsWith('Database'));
    expect(databaseLine).toMatch(/^Database +Cannot reach the PostgreSQL server at 127\.0\.0\.1:1 /);
    expect(finished.stdout).toMatch(/Fix the database: .*check that PostgreSQL is running there/);
    expect(`${finished.stdout}${finished.stderr}`).not.toMatch(/PrismaClient|^\s+at /m);
  });
});
