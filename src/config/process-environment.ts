/**
 * The one place that reads `process.env`. Everything else receives the snapshot (and, after
 * validation, the frozen configuration).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Environment } from './environment.ts';

export interface ProcessEnvironment {
  readonly env: Environment;
  /** The `.env` file that was loaded, if any. */
  readonly envFile: string | undefined;
}

/**
 * Loads `<workingDir>/.env` when present (variables already set in the real environment win,
 * as with `node --env-file`), then returns a copy of the environment.
 */
export function readProcessEnvironment(workingDir: string): ProcessEnvironment {
  const envFile = path.join(workingDir, '.env');
  const loaded = existsSync(envFile);
  if (loaded) process.loadEnvFile(envFile);
  return { env: Object.freeze({ ...process.env }), envFile: loaded ? envFile : undefined };
}
