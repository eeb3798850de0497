/**
 * Every configuration option can be set from the environment as `DARKROOM_<PATH>` (double
 * underscore = one level deeper), read as the option's type; unknown `DARKROOM_*` variables are
 * reported like YAML typos.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DarkroomConfig } from '../../../src/config/config.types.ts';
import type { Environment } from '../../../src/config/environment.ts';
import { environmentName, environmentOptions, readEnvironmentValue } from '../../../src/config/environment-overrides.ts';
import { loadConfig } from '../../../src/config/load-config.ts';

let root: string;
let workingDir: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'darkroom-env-'));
  workingDir = path.join(root, 'cwd');
  mkdirSync(path.join(root, 'config'));
  mkdirSync(workingDir);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Tokens for both platforms, so the platform switches and modes can be changed too. */
const secrets: Environment = {
  DISCORD_TOKEN: 'discord-token',
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_APP_TOKEN: 'xapp-1',
  SLACK_SIGNING_SECRET: 'secret',
  // A bucket, so storage.backend can be switched to s3.
  S3_BUCKET: 'candidate-bucket',
  // A PostgreSQL server and a Redis, so queue.backend can be switched to redis.
  DATABASE_URL: 'postgresql://darkroom@db.candidate:5432/darkroom',
  REDIS_URL: 'redis://redis.candidate:6379',
};

function load(env: Environment) {
  return loadConfig({ configDir: path.join(root, 'config'), env, workingDir, defaultsFile: undefined });
}

function loadOk(env: Environment): DarkroomConfig {
  const result = load(env);
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.config;
}

function valueAt(object: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], object);
}

/** Texts a person might set; for each option the first that is valid and not its default is used. */
const CANDIDATES = [
  '7',
  '262144',
  '3',
  '2',
  '0.5',
  'false',
  'true',
  'debug',
  'sequential',
  'cpu',
  'withhold',
  'taesd',
  'http',
  'http://changed.example/api',
  'postgres://darkroom@db.example:5432/darkroom',
  '123456789012345678,876543210987654321',
  '{vip: {maxSteps: 3}}',
  '{vip: {perHour: 3}}',
  'elsewhere',
  's3',
  'redis',
  'redis://changed.example:6379',
];

describe('environment form of every option', () => {
  it('names options by their YAML path', () => {
    expect(environmentName(['engine', 'defaultModel'])).toBe('DARKROOM_ENGINE__DEFAULT_MODEL');
    expect(environmentName(['generation', 'imagesPerJob'])).toBe('DARKROOM_GENERATION__IMAGES_PER_JOB');
    expect(environmentName(['discord', 'allowDMs'])).toBe('DARKROOM_DISCORD__ALLOW_DMS');
    expect(environmentName(['dataDir'])).toBe('DARKROOM_DATA_DIR');
  });

  const options = environmentOptions();
  it('covers the options of default.yaml', () => {
    const variables = options.map((option) => option.variable);
    for (const name of ['DARKROOM_SLACK__PORT', 'DARKROOM_LIMITS__DEFAULT__MAX_COUNT', 'DARKROOM_QUEUE__RATE_LIMIT__INTERVAL_MS', 'DARKROOM_LIMITS__ROLES', 'DARKROOM_SHUTDOWN__GRACE_SECONDS']) {
      expect(variables).toContain(name);
    }
    expect(options.length).toBeGreaterThan(30);
  });

  it.each(options.map((option) => [option.variable, option] as const))('%s is read and changes the option', (variable, option) => {
    const before = valueAt(loadOk(secrets), option.path);
    const text = CANDIDATES.find((candidate) => {
      const value = readEnvironmentValue(option.schema, candidate, workingDir);
      if (!option.schema.safeParse(value).success) return false;
      const loaded = load({ ...secrets, [variable]: candidate });
      return loaded.ok && JSON.stringify(valueAt(loaded.config, option.path)) !== JSON.stringify(before);
    });
    expect(text, `no sample value changes ${option.path.join('.')}`).toBeDefined();
    // And a value of the wrong kind is reported against the variable, not the YAML path.
    const wrong = load({ ...secrets, [variable]: '{not: [valid' });
    if (!wrong.ok) expect(wrong.problems.map((problem) => problem.path)).toContain(variable);
  });
});

describe('environment values', () => {
  it('sets images per job, grace period and a nested limit as numbers', () => {
    const config = loadOk({
      DARKROOM_GENERATION__IMAGES_PER_JOB: '1',
      DARKROOM_SHUTDOWN__GRACE_SECONDS: '90',
      DARKROOM_LIMITS__DEFAULT__MAX_STEPS: '30',
      DARKROOM_ENGINE__DEFAULT_MODEL: 'sd-turbo',
    });
    expect(config.generation.imagesPerJob).toBe(1);
    expect(config.shutdown.graceSeconds).toBe(90);
    expect(config.limits.default.maxSteps).toBe(30);
    expect(config.engine.defaultModel).toBe('sd-turbo');
  });

  it('refuses images per job outside 1–4, naming the variable', () => {
    const result = load({ DARKROOM_GENERATION__IMAGES_PER_JOB: '5' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      { path: 'DARKROOM_GENERATION__IMAGES_PER_JOB', message: 'must be at most 4, not 5', source: 'environment' },
    ]);
  });

  it('says "a whole number" for text where a number belongs', () => {
    const result = load({ DARKROOM_QUEUE__PER_USER_QUEUED: 'four' });
    expect(!result.ok && result.problems[0]).toMatchObject({ path: 'DARKROOM_QUEUE__PER_USER_QUEUED', message: 'must be a number, not "four"' });
  });

  it('reads booleans, null, comma-separated lists and YAML mappings', () => {
    const config = loadOk({
      DARKROOM_ENGINE__PREVIEWS: 'false',
      DARKROOM_QUEUE__QUOTAS__DEFAULT__PER_DAY: 'null',
      DARKROOM_MODERATION__BLOCKED_TERMS: 'gore, blood',
      DARKROOM_LIMITS__ROLES: '{moderator: {maxSteps: 80}}',
    });
    expect(config.engine.previews).toBe(false);
    expect(config.queue.quotas.default.perDay).toBeNull();
    expect(config.moderation.blockedTerms).toEqual(['gore', 'blood']);
    expect(config.limits.roles).toEqual({ moderator: { maxSteps: 80 } });
  });

  it('reports a typo inside a mapping set from the environment against the variable', () => {
    const result = load({ DARKROOM_LIMITS__ROLES: '{moderator: {maxStep: 80}}' });
    expect(!result.ok && result.problems[0]).toMatchObject({
      path: 'DARKROOM_LIMITS__ROLES',
      message: 'moderator.maxStep: is not a known option (did you mean "maxSteps"?)',
    });
  });

  it('resolves a path option against the shell folder', () => {
    const config = loadOk({ DARKROOM_MODELS__DIR: 'weights', DARKROOM_DATA_DIR: 'state' });
    expect(config.models.dir).toBe(path.join(workingDir, 'weights'));
    expect(config.dataDir).toBe(path.join(workingDir, 'state'));
  });

  it('honours PORT for the Slack HTTP receiver; DARKROOM_SLACK__PORT wins over it', () => {
    expect(loadOk({ PORT: '8080' }).slack.port).toBe(8080);
    expect(loadOk({ PORT: '8080', DARKROOM_SLACK__PORT: '9090' }).slack.port).toBe(9090);
  });

  it('keeps the short names (DARKROOM_MODELS_DIR, DATABASE_URL, LOG_LEVEL)', () => {
    const config = loadOk({ DARKROOM_MODELS_DIR: 'm', DATABASE_URL: 'postgres://a@b/c', LOG_LEVEL: 'debug' });
    expect(config.models.dir).toBe(path.join(workingDir, 'm'));
    expect(config.database.url).toBe('postgres://a@b/c');
    expect(config.log.level).toBe('debug');
  });

  it('reports an unknown DARKROOM_ variable with the closest name, like a YAML typo', () => {
    const result = load({ DARKROOM_ENGINE__DEFAULT_MODLE: 'x', DARKROOM_GENERATION_IMAGES_PER_JOB: '1' });
    expect(!result.ok && result.problems).toEqual([
      { path: 'DARKROOM_ENGINE__DEFAULT_MODLE', message: 'is not a known setting (did you mean DARKROOM_ENGINE__DEFAULT_MODEL?)', source: 'environment' },
      { path: 'DARKROOM_GENERATION_IMAGES_PER_JOB', message: 'is not a known setting (did you mean DARKROOM_GENERATION__IMAGES_PER_JOB?)', source: 'environment' },
    ]);
  });

  it('leaves alone the variables of the launcher and the tests', () => {
    expect(load({ DARKROOM_FROM_SOURCE: '1', DARKROOM_CONFIG_DIR: path.join(root, 'config') }).ok).toBe(true);
  });
});
