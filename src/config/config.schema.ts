/**
 * The zod schema of Darkroom's YAML configuration (`config/default.yaml` merged with
 * `config/local.yaml` and the environment overrides). Every object is strict, so a typo is an
 * error rather than a silently ignored option, and every option is required here because
 * `default.yaml` lists them all: defaults live in one place, the YAML a person reads.
 * Secrets (tokens) are not part of this schema: they come from the environment only.
 */
import { z } from 'zod';

const wholeNumber = (minimum: number) => z.number().int().min(minimum);
const nonEmptyText = z.string().trim().min(1);
/** A file or folder; the environment form of such an option is resolved against the shell's folder. */
const filePath = nonEmptyText.meta({ configKind: 'path' });
/** `null` means "no limit". */
const optionalLimit = wholeNumber(1).nullable();

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const httpUrl = z.string().refine(isHttpUrl, { error: 'must be an http:// or https:// URL' });

/** PostgreSQL connection strings; anything else is refused with the reason. */
const postgresUrl = z.string().refine(
  (value) => {
    try {
      const protocol = new URL(value).protocol;
      return protocol === 'postgres:' || protocol === 'postgresql:';
    } catch {
      return false;
    }
  },
  { error: 'must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)' },
);

/** Redis connection strings (`redis://` or `rediss://` for TLS). */
const redisUrl = z.string().refine(
  (value) => {
    try {
      const protocol = new URL(value).protocol;
      return protocol === 'redis:' || protocol === 'rediss:';
    } catch {
      return false;
    }
  },
  { error: 'must be a redis:// or rediss:// URL' },
);

/**
 * Discord/Slack ids. YAML reads an unquoted id as a number; the file reader keeps integers too
 * large for a JS number as exact digit strings, so `123456789012345678` and `"123456789012345678"`
 * both arrive here intact, and small numbers are turned back into text.
 */
function platformIdSchema(text: z.ZodString) {
  return z.preprocess(
    (value) => (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value),
    text,
  );
}
const platformId = platformIdSchema(z.string({ error: 'must be an id (text or digits)' }).trim().min(1));
const discordGuildId = platformIdSchema(
  z.string({ error: 'must be a Discord server (guild) id' }).trim().regex(/^\d+$/, { error: 'must be a Discord server (guild) id: digits only' }),
);

const autoOrBoolean = z.union([z.literal('auto'), z.boolean()], { error: 'must be auto, true or false' });

/** S3's bucket naming rules (AWS, MinIO and R2 share them). */
const bucketName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens' });
/** A folder inside the bucket: `''` or segments as an image key has them (`darkroom`, `bots/prod`). */
const bucketPrefix = z
  .string()
  .trim()
  .regex(/^$|^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/, {
    error: "must be '' or a folder such as darkroom or bots/prod (letters, digits, _ - . and /, no leading or trailing /)",
  });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const EXECUTION_PROVIDER_SETTINGS = ['auto', 'cpu', 'cuda', 'dml', 'coreml'] as const;

const quotaLimitsSchema = z.strictObject({ perHour: optionalLimit, perDay: optionalLimit });

const generationLimitsSchema = z.strictObject({
  maxSteps: wholeNumber(1),
  maxPixels: wholeNumber(64 * 64),
  // The engine generates 1–4 images per job.
  maxCount: wholeNumber(1).max(4),
  /** Empty = every installed model. */
  allowedModels: z.array(nonEmptyText),
});

export const fileConfigSchema = z.strictObject({
  log: z.strictObject({ level: z.enum(LOG_LEVELS) }),
  dataDir: filePath,
  database: z.strictObject({ url: postgresUrl.nullable() }),
  storage: z.strictObject({
    backend: z.enum(['local', 's3']),
    s3: z.strictObject({
      /** null = AWS S3 itself. */
      endpoint: httpUrl.nullable(),
      bucket: bucketName.nullable(),
      region: nonEmptyText,
      /** auto = path-style when an endpoint is set (MinIO, R2), virtual-host style on AWS. */
      forcePathStyle: autoOrBoolean,
      prefix: bucketPrefix,
    }),
  }),
  engine: z.strictObject({
    executionProvider: z.enum(EXECUTION_PROVIDER_SETTINGS),
    /** 0 = one per available core. */
    threads: wholeNumber(0),
    defaultModel: nonEmptyText,
    autoPull: z.boolean(),
    previews: z.boolean(),
    /** Path to a Real-ESRGAN-style .onnx model, or `none` for the diffusion "hires fix". */
    upscaler: filePath,
    cfgBatching: z.enum(['auto', 'batched', 'sequential']),
    /** Final images: the model's own VAE, or TAESD (`<models.dir>/taesd`, `taesdxl` for SDXL). */
    decoder: z.enum(['full', 'taesd']),
    /** Live previews: TAESD when installed (`auto`), always the latent-RGB approximation, or TAESD (said when missing). */
    previewDecoder: z.enum(['auto', 'latent', 'taesd']),
  }),
  models: z.strictObject({ dir: filePath, catalog: filePath, hubUrl: httpUrl }),
  generation: z.strictObject({
    /** Images per job when neither the request nor /settings say (the engine makes 1–4). */
    imagesPerJob: wholeNumber(1).max(4),
  }),
  queue: z.strictObject({
    /** `memory`: in this process; `redis`: BullMQ on Redis, shared by bot and worker processes. */
    backend: z.enum(['memory', 'redis']),
    redis: z.strictObject({ url: redisUrl.nullable(), prefix: z.string().trim().regex(/^[A-Za-z0-9_.-]+$/, { error: 'letters, digits, _ . - only' }) }),
    concurrency: wholeNumber(1),
    perUserQueued: wholeNumber(1),
    globalQueued: wholeNumber(1),
    rateLimit: z.strictObject({ intervalMs: wholeNumber(1), intervalCap: wholeNumber(1) }),
    quotas: z.strictObject({
      default: quotaLimitsSchema,
      roles: z.record(nonEmptyText, quotaLimitsSchema.partial()),
    }),
  }),
  limits: z.strictObject({
    default: generationLimitsSchema,
    roles: z.record(nonEmptyText, generationLimitsSchema.partial()),
    /** Keyed by Discord guild id or Slack team id. */
    workspaces: z.record(nonEmptyText, generationLimitsSchema.partial()),
  }),
  shutdown: z.strictObject({
    /** Time running work gets to finish after a stop signal, before it is aborted. */
    graceSeconds: z.number().min(0).max(3_600),
  }),
  startup: z.strictObject({
    /** Tries to reach Discord / Slack when the network fails (a refused token is never retried). */
    chatConnectAttempts: wholeNumber(1).max(100),
    /** Pause before the second try; doubled for each later one, at most 60 s. */
    chatRetryDelaySeconds: z.number().min(0).max(60),
  }),
  moderation: z.strictObject({
    blockedTerms: z.array(nonEmptyText),
    moderatorRoleIds: z.array(platformId),
    moderatorUserIds: z.array(platformId),
    nsfw: z.enum(['blur', 'withhold']),
    slackNsfwChannels: z.array(platformId),
  }),
  discord: z.strictObject({
    enabled: autoOrBoolean,
    apiUrl: httpUrl,
    guildIds: z.array(discordGuildId),
    allowDMs: z.boolean(),
  }),
  slack: z.strictObject({
    enabled: autoOrBoolean,
    mode: z.enum(['auto', 'socket', 'http']),
    port: wholeNumber(1).max(65_535),
    apiUrl: httpUrl,
  }),
  /** Health and Prometheus endpoints; port 0 = off. */
  metrics: z.strictObject({ port: wholeNumber(0).max(65_535), host: nonEmptyText }),
});

/** The validated file configuration, before paths are resolved and secrets are added. */
export type FileConfig = z.output<typeof fileConfigSchema>;
