/**
 * docker-compose.yml, checked without Docker (no images can be pulled here): it parses as YAML,
 * has the five services with health checks, starts the roles with the right commands, and the
 * environment it gives bot and worker is a configuration Darkroom accepts, pointing at the
 * PostgreSQL, Redis and bucket the file defines. (`docker compose config` validates the syntax
 * where Compose is installed; README, "Running on several machines".)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { projectRoot } from '../../support/shared-dir.ts';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
}

const compose = parse(readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** `${NAME:-default}` as Compose reads it with nothing set in the shell. */
function substitute(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  it('defines bot, worker, postgres, redis and minio, each with a health check', () => {
    for (const name of ['bot', 'worker', 'postgres', 'redis', 'minio']) {
      expect(services[name], name).toBeDefined();
      expect(services[name]?.healthcheck?.test.length, `${name} health check`).toBeGreaterThan(1);
    }
  });

  it('runs the bot role and the worker command from the Darkroom image, with time to finish a job', () => {
    expect(services['bot']?.command).toEqual(['node', 'bin/darkroom.mjs', 'start', '--role', 'bot']);
    expect(services['worker']?.command).toEqual(['node', 'bin/darkroom.mjs', 'worker']);
    for (const name of ['bot', 'worker']) {
      expect(services[name]?.image).toBe('darkroom:latest');
      expect(services[name]?.stop_grace_period).toBe('40s');
      expect(services[name]?.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        'minio-bucket': { condition: 'service_completed_successfully' },
      });
    }
  });

  it("gives bot and worker a configuration Darkroom accepts, pointing at the file's own services", () => {
    for (const name of ['bot', 'worker']) {
      const env = Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [key, substitute(String(value))]));
      const loaded = loadConfig({ configDir: path.join(projectRoot, 'test'), env, workingDir: projectRoot, defaultsFile: undefined });
      if (!loaded.ok) throw new Error(`${name}: ${JSON.stringify(loaded.problems)}`);
      const { config } = loaded;
      expect(config.database.url).toMatch(/^postgres:\/\/darkroom:[^@]+@postgres:5432\/darkroom$/);
      expect(config.storage).toMatchObject({ backend: 's3', s3: { endpoint: 'http://minio:9000', bucket: 'darkroom', forcePathStyle: true } });
      // The bucket the one-shot service creates, with the key pair MinIO is started with.
      expect(services['minio-bucket']?.entrypoint?.join(' ')).toContain(`local/${config.storage.s3.bucket}`);
      expect(config.storage.s3.accessKeyId).toBe(substitute(String(services['minio']?.environment?.['MINIO_ROOT_USER'])));
      expect(config.storage.s3.secretAccessKey).toBe(substitute(String(services['minio']?.environment?.['MINIO_ROOT_PASSWORD'])));
      expect(env['REDIS_URL']).toBe('redis://redis:6379');
      expect(env['DARKROOM_QUEUE__BACKEND']).toBe('redis');
    }
  });

  it('keeps Redis off the disk (transport only) and PostgreSQL and MinIO on volumes', () => {
    expect(services['redis']?.['command' as keyof ComposeService]).toEqual(['redis-server', '--save', '', '--appendonly', 'no']);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['postgres', 'minio']));
  });
});
