/**
 * The environment variables Darkroom understands: which configuration option each one
 * overrides, and which are secrets that exist only in the environment.
 */

/** A snapshot of environment variables (process.env, or a test's own object). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A short variable name that sets one option (kept besides the option's `DARKROOM_*` form). */
export interface OverrideBinding {
  readonly name: string;
  /** The YAML option it replaces. */
  readonly path: readonly string[];
}

/**
 * Conventional names for a few options. Every option also has its generic form
 * (`DARKROOM_ENGINE__DEFAULT_MODEL`, see environment-overrides.ts), which wins over these.
 */
export const LEGACY_BINDINGS: readonly OverrideBinding[] = [
  { name: 'DARKROOM_MODELS_DIR', path: ['models', 'dir'] },
  { name: 'DATABASE_URL', path: ['database', 'url'] },
  { name: 'S3_ENDPOINT', path: ['storage', 's3', 'endpoint'] },
  { name: 'S3_BUCKET', path: ['storage', 's3', 'bucket'] },
  { name: 'S3_REGION', path: ['storage', 's3', 'region'] },
  { name: 'REDIS_URL', path: ['queue', 'redis', 'url'] },
  { name: 'LOG_LEVEL', path: ['log', 'level'] },
  { name: 'HF_ENDPOINT', path: ['models', 'hubUrl'] },
  { name: 'DISCORD_API_URL', path: ['discord', 'apiUrl'] },
  { name: 'DISCORD_GUILD_IDS', path: ['discord', 'guildIds'] },
  { name: 'SLACK_API_URL', path: ['slack', 'apiUrl'] },
  // Platforms (Heroku, Render, Cloud Run…) say which port to listen on with PORT.
  { name: 'PORT', path: ['slack', 'port'] },
  { name: 'DARKROOM_METRICS_PORT', path: ['metrics', 'port'] },
  { name: 'DARKROOM_METRICS_HOST', path: ['metrics', 'host'] },
];

/** `DARKROOM_*` variables that are not options: read by the launcher, tests and benches. */
export const PROCESS_VARIABLES = [
  'DARKROOM_FROM_SOURCE',
  'DARKROOM_SHARED_DIR',
  'DARKROOM_TEST_LOG',
  'DARKROOM_BENCH_RSS_CAP_GIB',
  'DARKROOM_BENCH_PROJECT_DIR',
] as const;

/** Secrets: read from the environment only, never from YAML (which may be committed by mistake). */
export const SECRET_NAMES = [
  'DISCORD_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'HF_TOKEN',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Where `local.yaml` is looked for (default: the project's `config/` folder). */
export const CONFIG_DIR_VARIABLE = 'DARKROOM_CONFIG_DIR';

/**
 * A variable's value, trimmed; empty counts as unset, so a copied `.env.example` with
 * `DISCORD_TOKEN=` means "no token" rather than "an empty token".
 */
export function environmentValue(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
