/**
 * `storage.*`: the local folder by default; an S3 bucket from S3_* variables, path-style when an
 * endpoint is set, the key pair from the environment only; mistakes named with the variable.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigProblem, DarkroomConfig } from '../../../src/config/config.types.ts';
import type { Environment } from '../../../src/config/environment.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { REDACT } from '../../../src/logging/logger.ts';

let root: string;
let configDir: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'darkroom-storage-config-'));
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

const MINIO = { DARKROOM_STORAGE__BACKEND: 's3', S3_ENDPOINT: 'http://minio:9000', S3_BUCKET: 'darkroom-images', S3_ACCESS_KEY_ID: 'minio-user', S3_SECRET_ACCESS_KEY: 'minio-secret-value' };

describe('storage configuration', () => {
  it('keeps images in <dataDir>/images by default', () => {
    expect(loadOk({}).storage).toMatchObject({ backend: 'local', dir: path.join(root, 'data', 'images') });
  });

  it('reads an S3-compatible bucket from the S3_* variables, path-style because an endpoint is set', () => {
    expect(loadOk(MINIO).storage).toEqual({
      backend: 's3',
      dir: path.join(root, 'data', 'images'),
      s3: {
        endpoint: 'http://minio:9000',
        bucket: 'darkroom-images',
        region: 'us-east-1',
        forcePathStyle: true,
        prefix: '',
        accessKeyId: 'minio-user',
        secretAccessKey: 'minio-secret-value',
      },
    });
  });

  it('uses virtual-host addressing on AWS itself, unless told otherwise; region and folder from YAML', () => {
    const aws = { DARKROOM_STORAGE__BACKEND: 's3', S3_BUCKET: 'darkroom-images', S3_REGION: 'eu-central-1' };
    const storage = loadOk(aws).storage;
    expect(storage.s3).toMatchObject({ endpoint: undefined, region: 'eu-central-1', forcePathStyle: false, accessKeyId: undefined });
    writeFileSync(path.join(configDir, 'local.yaml'), 'storage:\n  backend: s3\n  s3:\n    bucket: from-yaml\n    forcePathStyle: true\n    prefix: bots/prod\n');
    const fromYaml = loadOk({}).storage;
    expect(fromYaml.backend).toBe('s3');
    expect(fromYaml.s3).toMatchObject({ bucket: 'from-yaml', forcePathStyle: true, prefix: 'bots/prod' });
  });

  it('takes the empty S3 lines of a copied .env.example as unset', () => {
    const copied = { S3_ENDPOINT: '', S3_BUCKET: '', S3_REGION: '', S3_ACCESS_KEY_ID: '', S3_SECRET_ACCESS_KEY: '' };
    expect(loadOk(copied).storage).toMatchObject({ backend: 'local', s3: { endpoint: undefined, bucket: undefined, region: 'us-east-1', accessKeyId: undefined } });
  });

  it('asks for the bucket, the other half of a key pair, and names bad values with their variable', () => {
    expect(loadProblems({ DARKROOM_STORAGE__BACKEND: 's3' })).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('is required because storage.backend is s3 (set S3_BUCKET') }),
    );
    expect(loadProblems({ ...MINIO, S3_SECRET_ACCESS_KEY: '' })).toEqual([
      { path: 'S3_SECRET_ACCESS_KEY', message: 'is needed too: S3_ACCESS_KEY_ID is set, and S3 keys work only as a pair', source: 'environment' },
    ]);
    const problems = loadProblems({ ...MINIO, S3_BUCKET: 'Not_A_Bucket', S3_ENDPOINT: 'minio:9000', DARKROOM_STORAGE__S3__PREFIX: '/images/' });
    expect(problems.map((problem) => problem.path).sort()).toEqual(['DARKROOM_STORAGE__S3__PREFIX', 'S3_BUCKET', 'S3_ENDPOINT']);
    expect(problems.find((problem) => problem.path === 'S3_BUCKET')?.message).toContain('must be a bucket name');
    expect(problems.find((problem) => problem.path === 'S3_ENDPOINT')?.message).toContain('must be an http:// or https:// URL');
    expect(loadProblems({ DARKROOM_STORAGE__BACKEND: 'ftp' })[0]?.path).toBe('DARKROOM_STORAGE__BACKEND');
  });

  it('never writes the secret key into a log line, even when the whole config is logged', () => {
    const config = loadOk(MINIO);
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    // The root logger's redaction, onto a stream the test reads.
    pino({ redact: REDACT }, sink).info({ config, storage: config.storage, s3: config.storage.s3 }, 'config');
    expect(written).toContain('minio-user');
    expect(written).not.toContain('minio-secret-value');
  });
});
