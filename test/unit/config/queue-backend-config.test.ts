/**
 * `queue.backend`: the in-process queue by default; Redis (REDIS_URL) only with a PostgreSQL
 * server, refused in plain words with the embedded database or without a Redis address.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigProblem, DarkroomConfig } from '../../../src/config/config.types.ts';
import type { Environment } from '../../../src/config/environment.ts';
import { loadConfig } from '../../../src/config/load-config.ts';

let root: string;
let configDir: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'darkroom-queue-config-'));
  configDir = path.join(root, 'config');
  mkdirSync(configDir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function load(env: Environment) {
  return loadConfig({ configDir, env: { DARKROOM_DATA_DIR: path.join(root, 'data'), ...env }, workingDir: root, defaultsFile: undefined });
}
function loadOk(env: Environment): DarkroomConfig {
  const result = load(env);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${JSON.stringify(result.problems, null, 2)}`);
  return result.config;
}
function loadProblems(env: Environment): readonly ConfigProblem[] {
  const result = load(env);
  if (result.ok) throw new Error('expected configuration problems');
  return result.problems;
}

const POSTGRES = { DATABASE_URL: 'postgresql://darkroom@db:5432/darkroom' };

describe('queue backend configuration', () => {
  it('keeps the queue in the process by default', () => {
    expect(loadOk({}).queue).toMatchObject({ backend: 'memory', redis: { url: null, prefix: 'darkroom' } });
  });

  it('takes Redis from REDIS_URL with a PostgreSQL server', () => {
    const config = loadOk({ ...POSTGRES, DARKROOM_QUEUE__BACKEND: 'redis', REDIS_URL: 'redis://redis:6379' });
    expect(config.queue).toMatchObject({ backend: 'redis', redis: { url: 'redis://redis:6379', prefix: 'darkroom' } });
  });

  it('refuses Redis with the embedded database, saying why', () => {
    const problems = loadProblems({ DARKROOM_QUEUE__BACKEND: 'redis', REDIS_URL: 'redis://redis:6379' });
    expect(problems).toEqual([expect.objectContaining({ path: 'queue.backend', source: 'environment', message: expect.stringContaining('needs a PostgreSQL server (set DATABASE_URL)') })]);
  });

  it('asks for REDIS_URL when the backend is redis', () => {
    const problems = loadProblems({ ...POSTGRES, DARKROOM_QUEUE__BACKEND: 'redis' });
    expect(problems).toEqual([expect.objectContaining({ path: 'REDIS_URL', message: expect.stringContaining('is required because queue.backend is redis') })]);
  });

  it('refuses an address that is not redis:// or rediss://', () => {
    const problems = loadProblems({ ...POSTGRES, DARKROOM_QUEUE__BACKEND: 'redis', REDIS_URL: 'http://redis:6379' });
    expect(problems).toEqual([expect.objectContaining({ path: 'REDIS_URL', message: expect.stringContaining('must be a redis:// or rediss:// URL') })]);
  });
});
