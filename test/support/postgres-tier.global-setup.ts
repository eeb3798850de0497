/**
 * vitest globalSetup: decides once per run whether the PostgreSQL tier runs, and tells the
 * test files through `inject('postgresTier')` (see `test/support/postgres-tier.ts`).
 *
 * - `DATABASE_URL_TEST=postgresql://…` (CI): that server, no probe: a broken server must fail.
 * - `DATABASE_URL_TEST=off`: skipped on purpose.
 * - unset: {@link DEFAULT_POSTGRES_TEST_URL} is probed (one `SELECT 1`, at most
 *   {@link PROBE_TIMEOUT_MS}); the tier runs when it answers and is skipped, saying why, when not.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import type { TestProject } from 'vitest/node';
import type { PostgresTier } from './postgres-tier.ts';

/** Where a developer's local PostgreSQL usually is (the same server `.ci/run` uses). */
export const DEFAULT_POSTGRES_TEST_URL = 'postgresql://postgres@127.0.0.1:5432/test';
/** Bound of the probe: connection plus `SELECT 1`. */
export const PROBE_TIMEOUT_MS = 3_000;

/** Why `url` cannot be used, or undefined when it answers `SELECT 1` in time. */
export async function probePostgres(url: string, timeoutMs: number): Promise<string | undefined> {
  const factory = new PrismaPg({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, max: 1 });
  try {
    const adapter = await factory.connect();
    try {
      await adapter.queryRaw({ sql: 'SELECT 1', args: [], argTypes: [] });
    } finally {
      await adapter.dispose();
    }
    return undefined;
  } catch (error) {
    return describeProbeError(error);
  }
}

/** Prisma's adapter errors carry the kind and pg's own words in `cause`. */
function describeProbeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { kind?: unknown; originalMessage?: unknown } | undefined;
  const words = typeof cause?.originalMessage === 'string' ? cause.originalMessage : error.message;
  const kind = typeof cause?.kind === 'string' ? cause.kind : error.name;
  const first = words.split('\n')[0] ?? '';
  return first !== '' && first !== kind ? `${kind}: ${first}` : kind;
}

/** The decision, from the environment and (when unset) a probe. */
export async function decidePostgresTier(configured: string | undefined): Promise<PostgresTier> {
  if (configured === 'off') return { url: '', skipReason: ' [skipped: DATABASE_URL_TEST=off]' };
  if (configured) return { url: configured, skipReason: '' };
  const problem = await probePostgres(DEFAULT_POSTGRES_TEST_URL, PROBE_TIMEOUT_MS);
  if (problem === undefined) return { url: DEFAULT_POSTGRES_TEST_URL, skipReason: '' };
  return {
    url: '',
    skipReason: ` [skipped: no PostgreSQL at ${DEFAULT_POSTGRES_TEST_URL} (${problem}); set DATABASE_URL_TEST to use another server]`,
  };
}

export default async function setup(project: TestProject): Promise<void> {
  const tier = await decidePostgresTier(process.env['DATABASE_URL_TEST']);
  project.provide('postgresTier', tier);
  const where = tier.url === '' ? `PostgreSQL tier${tier.skipReason}` : `PostgreSQL tier: ${new URL(tier.url).host}${new URL(tier.url).pathname}`;
  process.stdout.write(`${where}\n`);
}
