/**
 * The configuration every part of Darkroom receives: validated once at start-up, paths made
 * absolute, secrets added from the environment, then frozen. Nothing else reads process.env.
 */
import type { EXECUTION_PROVIDER_SETTINGS, LOG_LEVELS } from './config.schema.ts';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type ExecutionProviderSetting = (typeof EXECUTION_PROVIDER_SETTINGS)[number];

/** Jobs a person may submit per hour / per day; `null` = no limit. */
export interface QuotaLimits {
  readonly perHour: number | null;
  readonly perDay: number | null;
}

/** What a single request may ask for. */
export interface GenerationLimits {
  readonly maxSteps: number;
  /** width × height. */
  readonly maxPixels: number;
  /** Images per job, 1–4. */
  readonly maxCount: number;
  /** Model names allowed; empty = every installed model. */
  readonly allowedModels: readonly string[];
}

export interface EngineConfig {
  readonly executionProvider: ExecutionProviderSetting;
  /** Intra-op threads; 0 = one per available core. */
  readonly threads: number;
  /** Catalog name or folder name under `models.dir`. */
  readonly defaultModel: string;
  /** Download the default model at start-up when it is missing. */
  readonly autoPull: boolean;
  /** Send cheap previews with progress updates. */
  readonly previews: boolean;
  /** Absolute path of a Real-ESRGAN-style .onnx upscaler; undefined = diffusion "hires fix". */
  readonly upscaler: string | undefined;
  /** Classifier-free guidance as one batch-2 UNet call, two batch-1 calls (less memory), or auto (batch-1 on CPU). */
  readonly cfgBatching: 'auto' | 'batched' | 'sequential';
  /** Final images from the model's VAE or TAESD (LCM/Turbo keep their VAE unless their catalog entry says taesd). */
  readonly decoder: 'full' | 'taesd';
  /** Previews from TAESD when installed (auto), the latent-RGB approximation, or TAESD (a missing one is logged). */
  readonly previewDecoder: 'auto' | 'latent' | 'taesd';
}

export interface ModelsConfig {
  /** Absolute path of the folder holding one sub-folder per model. */
  readonly dir: string;
  /** Absolute path of the model catalog (`config/models.yaml`). */
  readonly catalog: string;
  /** Hugging Face hub base URL (`HF_ENDPOINT`). */
  readonly hubUrl: string;
  /** `HF_TOKEN`, for gated repos. Secret: never log it. */
  readonly hubToken: string | undefined;
}

export interface QueueConfig {
  /** `memory`: the in-process queue; `redis`: BullMQ on Redis (needs PostgreSQL), for worker processes. */
  readonly backend: 'memory' | 'redis';
  /** Where Redis is (`REDIS_URL`) and the prefix of every key Darkroom writes there. */
  readonly redis: { readonly url: string | null; readonly prefix: string };
  /** Jobs running at once (pipelines available). */
  readonly concurrency: number;
  /** Jobs one person may have waiting. */
  readonly perUserQueued: number;
  /** Jobs waiting in total. */
  readonly globalQueued: number;
  /** At most `intervalCap` job starts per `intervalMs`, for everyone together. */
  readonly rateLimit: { readonly intervalMs: number; readonly intervalCap: number };
  /** Per-person quotas; a role entry overrides only the fields it names. */
  readonly quotas: {
    readonly default: QuotaLimits;
    readonly roles: Readonly<Record<string, Partial<QuotaLimits>>>;
  };
}

export interface LimitsConfig {
  readonly default: GenerationLimits;
  /** Overrides by role name; only the fields named change. */
  readonly roles: Readonly<Record<string, Partial<GenerationLimits>>>;
  /** Overrides by Discord guild id or Slack team id. */
  readonly workspaces: Readonly<Record<string, Partial<GenerationLimits>>>;
}

export interface ModerationConfig {
  /** Always-blocked terms (moderators add more in the database). */
  readonly blockedTerms: readonly string[];
  /** Discord role ids whose members are moderators. */
  readonly moderatorRoleIds: readonly string[];
  /** Discord or Slack user ids who are moderators. */
  readonly moderatorUserIds: readonly string[];
  /** What happens to an image the safety checker flags, in a channel that is not NSFW. */
  readonly nsfw: 'blur' | 'withhold';
  /** Slack channel ids treated as NSFW channels (Slack has no channel flag). */
  readonly slackNsfwChannels: readonly string[];
}

export interface DiscordConfig {
  /** Resolved: `auto` means "on when DISCORD_TOKEN is set". */
  readonly enabled: boolean;
  /** `DISCORD_TOKEN`. Secret: never log it. */
  readonly token: string | undefined;
  /** REST base URL, without version (`DISCORD_API_URL`; tests point it at a fake). */
  readonly apiUrl: string;
  /** Register slash commands per guild (instant) instead of globally. */
  readonly guildIds: readonly string[];
  readonly allowDMs: boolean;
}

export interface SlackConfig {
  /** Resolved: `auto` means "on when SLACK_BOT_TOKEN is set". */
  readonly enabled: boolean;
  /** Resolved: `socket` when SLACK_APP_TOKEN is set, else `http`, unless forced. */
  readonly mode: 'socket' | 'http';
  /** Secrets: never log them. */
  readonly botToken: string | undefined;
  readonly signingSecret: string | undefined;
  readonly appToken: string | undefined;
  /** Port of the HTTP receiver (http mode). */
  readonly port: number;
  /** Web API base URL (`SLACK_API_URL`; tests point it at a fake). */
  readonly apiUrl: string;
}

/** The health and metrics HTTP server (`/healthz`, `/readyz`, `/metrics`). */
export interface MetricsConfig {
  /** TCP port; 0 = no server (the default). */
  readonly port: number;
  /** Address to bind; 127.0.0.1 unless the operator opens it (0.0.0.0 in a container). */
  readonly host: string;
}

/** An S3-compatible bucket for the images (`storage.backend: s3`). */
export interface S3StorageConfig {
  /** `S3_ENDPOINT`; undefined = AWS S3. */
  readonly endpoint: string | undefined;
  /** `S3_BUCKET`; always set when `backend` is `s3` (the configuration refuses it otherwise). */
  readonly bucket: string | undefined;
  /** `S3_REGION` (`auto` for Cloudflare R2). */
  readonly region: string;
  /** Resolved: `auto` means path-style when an endpoint is set. */
  readonly forcePathStyle: boolean;
  /** Folder in the bucket holding the images; `''` = the root. */
  readonly prefix: string;
  /** `S3_ACCESS_KEY_ID` and `S3_SECRET_ACCESS_KEY`, both or neither (then the SDK's default chain). Secrets: never log them. */
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
}

/** Where image files live: a local folder (default) or an S3-compatible bucket. */
export interface StorageConfig {
  readonly backend: 'local' | 's3';
  /** The local store's folder, `<dataDir>/images` (used when `backend` is `local`). */
  readonly dir: string;
  /** The bucket (used when `backend` is `s3`). */
  readonly s3: S3StorageConfig;
}

/** What a job is when the request says less. */
export interface GenerationConfig {
  /** Images per job when neither the request nor /settings say, 1–4. */
  readonly imagesPerJob: number;
}

/** Start-up: how long to keep trying to reach the chat platforms when the network fails. */
export interface StartupConfig {
  /** Tries per platform; a refused token is never retried. */
  readonly chatConnectAttempts: number;
  /** Pause before the second try, doubled for each later one (at most 60 s). */
  readonly chatRetryDelaySeconds: number;
}

export interface DarkroomConfig {
  /** Folder that was searched for `local.yaml`. */
  readonly configDir: string;
  /** Files that were read, in order (later ones override earlier ones). */
  readonly files: readonly string[];
  /** Absolute path of the data folder (embedded db in `db/`, images in `images/`). */
  readonly dataDir: string;
  readonly log: { readonly level: LogLevel };
  /** `url` undefined = embedded PGlite under `<dataDir>/db`. */
  readonly database: { readonly url: string | undefined };
  readonly storage: StorageConfig;
  readonly engine: EngineConfig;
  readonly models: ModelsConfig;
  readonly generation: GenerationConfig;
  readonly queue: QueueConfig;
  readonly limits: LimitsConfig;
  readonly moderation: ModerationConfig;
  readonly discord: DiscordConfig;
  readonly slack: SlackConfig;
  /** Time running work gets to finish after a stop signal, before it is aborted. */
  readonly shutdown: { readonly graceSeconds: number };
  readonly startup: StartupConfig;
  readonly metrics: MetricsConfig;
}

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** YAML path (`queue.perUserQueued`, `limits.roles.vip.maxCount`) or env var name (`DATABASE_URL`). */
  readonly path: string;
  readonly message: string;
  /** Where the bad value came from: a file path or `environment`. */
  readonly source: string;
}

export type LoadConfigResult =
  | { readonly ok: true; readonly config: DarkroomConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };
