/**
 * The facts `darkroom doctor` reports, gathered without changing anything: the database is
 * opened only when it exists and nobody else holds it, and nothing is migrated or downloaded.
 * The one write: with `storage.backend: s3`, a tiny object is put, read and deleted to prove the
 * bucket works (reachable is not enough: a read-only key fails only at the first image).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXECUTION_PROVIDER_SETTINGS } from '../config/config.schema.ts';
import type { DarkroomConfig } from '../config/config.types.ts';
import { decoderWarnings, listDecoders, listModels } from '../generation/models/model-resolve.ts';
import { availableExecutionProviders } from '../generation/onnx/index.ts';
import { describeHeldDatabaseStatus, readHeldDatabaseStatus } from '../lifecycle/held-database-status.ts';
import type { ModelAvailability } from '../lifecycle/model-availability.ts';
import { checkDefaultModel, readCatalog } from '../lifecycle/model-availability.ts';
import type { Logger } from '../logging/logger.ts';
import { DatabaseUnavailableError } from '../db/database-errors.ts';
import { openDatabaseForCommand } from './database-access.ts';
import { checkRedis } from '../lifecycle/redis-check.ts';
import { DEFAULT_S3_LIMITS, describeStorage, openImageStore } from '../storage/index.ts';
import { describeDatabaseStatus } from './db.command.ts';

export interface DoctorFacts {
  /** One line about the database, or why it could not be read. */
  readonly database: { readonly ok: boolean; readonly text: string };
  readonly defaultModel: ModelAvailability;
  /** `name (family)` of each usable model folder; problems of broken ones. */
  readonly installedModels: readonly string[];
  readonly brokenModels: readonly string[];
  readonly catalogProblem: string | undefined;
  /** `taesd (SD 1.x/2.x)` of each installed TAESD; a sentence for each one engine.decoder/previewDecoder need but lack. */
  readonly decoders: { readonly installed: readonly string[]; readonly warnings: readonly string[] };
  readonly providers: { readonly available: readonly string[]; readonly configured: string; readonly warning: string | undefined };
  /** Where images go; for S3, whether a tiny object could be written, read and removed. */
  readonly storage: { readonly ok: boolean; readonly text: string };
  /** The queue backend; for Redis, whether it answers. */
  readonly queue: { readonly ok: boolean; readonly text: string };
}

/** How long doctor waits for S3 or Redis. */
const SERVICE_CHECK_TIMEOUT_MS = 10_000;

async function storageFact(config: DarkroomConfig): Promise<DoctorFacts['storage']> {
  const storage = config.storage;
  if (storage.backend === 'local') {
    const created = existsSync(storage.dir) ? '' : ' (not created yet: the first image creates it)';
    // Not an error (bot and workers may share one machine), but across machines images would be missing.
    const shared =
      config.queue.backend === 'redis'
        ? '; with queue.backend redis every bot and worker process must see this same folder: on several machines use storage.backend s3'
        : '';
    return { ok: true, text: `${describeStorage(storage)}${created}${shared}` };
  }
  // One try, short timeouts: doctor reports, it does not wait out a retry policy.
  const limits = { ...DEFAULT_S3_LIMITS, connectTimeoutMs: 5_000, requestTimeoutMs: SERVICE_CHECK_TIMEOUT_MS, maxAttempts: 1 };
  const opened = await openImageStore(storage, { sharedLocalFolder: true, s3Limits: limits });
  try {
    const access = await opened.check();
    return access.ok
      ? { ok: true, text: `${opened.description}: reachable, an object was written, read and removed` }
      : { ok: false, text: `${opened.description}: ${access.problem}` };
  } finally {
    await opened.close();
  }
}

async function queueFact(config: DarkroomConfig): Promise<DoctorFacts['queue']> {
  const { queue } = config;
  if (queue.backend !== 'redis' || queue.redis.url === null) return { ok: true, text: 'memory: jobs queue in this process' };
  const redis = await checkRedis(queue.redis.url, SERVICE_CHECK_TIMEOUT_MS);
  return { ok: redis.ok, text: redis.text };
}

async function databaseFact(config: DarkroomConfig, logger: Logger): Promise<DoctorFacts['database']> {
  if (config.database.url === undefined && !existsSync(path.join(config.dataDir, 'db'))) {
    const where = path.join(config.dataDir, 'db');
    return { ok: true, text: `embedded PostgreSQL (PGlite) at ${where}: not created yet (npm start or npx darkroom db migrate creates it)` };
  }
  try {
    const access = await openDatabaseForCommand(config, 'doctor', logger);
    // Held by a running darkroom (a container's `start`): facts that need no second opener.
    if (!access.ok) return { ok: true, text: describeHeldDatabaseStatus(await readHeldDatabaseStatus(config.dataDir, access)) };
    try {
      const status = await access.database.status();
      // Pending migrations are not a fault: start-up applies them.
      return { ok: true, text: describeDatabaseStatus(status) };
    } finally {
      await access.close();
    }
  } catch (error) {
    // A server that cannot be used already says so in a sentence with what to check.
    if (error instanceof DatabaseUnavailableError) return { ok: false, text: error.message };
    return { ok: false, text: `cannot open the database: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The providers this onnxruntime-node build offers that `engine.executionProvider` can name:
 * listing one the setting refuses (webgpu, tensorrt) would only invite a configuration error.
 */
function providerFact(config: DarkroomConfig): DoctorFacts['providers'] {
  const settable: readonly string[] = EXECUTION_PROVIDER_SETTINGS;
  const available = availableExecutionProviders().filter((name) => settable.includes(name));
  const configured = config.engine.executionProvider;
  const warning =
    configured !== 'auto' && !available.includes(configured)
      ? `engine.executionProvider is ${configured}, which this onnxruntime-node build does not offer: generation will fall back to CPU` +
        (configured === 'cuda' ? ' (install the CUDA 12 build: ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci; README, "GPU")' : '')
      : undefined;
  return { available, configured, warning };
}

export async function gatherDoctorFacts(config: DarkroomConfig, logger: Logger): Promise<DoctorFacts> {
  const catalog = await readCatalog(config.models);
  const locations = catalog.catalog === undefined ? undefined : { catalog: catalog.catalog, modelsDir: config.models.dir };
  const rows = locations === undefined ? [] : await listModels(locations);
  const decoderRows = locations === undefined ? [] : await listDecoders(locations);
  const [storage, queue] = await Promise.all([storageFact(config), queueFact(config)]);
  return {
    storage,
    queue,
    database: await databaseFact(config, logger),
    defaultModel: await checkDefaultModel(config, undefined),
    installedModels: rows.filter((row) => row.status === 'installed').map((row) => `${row.name} (${row.family ?? '?'})`),
    brokenModels: rows.filter((row) => row.status === 'broken').map((row) => `${row.name}: ${row.problem ?? 'unusable'}`),
    catalogProblem: catalog.problem,
    decoders: {
      installed: decoderRows.filter((row) => row.status === 'installed').map((row) => `${row.name} (${row.entry.latentSpace === 'sdxl' ? 'SDXL' : 'SD 1.x/2.x'})`),
      warnings: locations === undefined ? [] : await decoderWarnings(locations, config.engine),
    },
    providers: providerFact(config),
  };
}
