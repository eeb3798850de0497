/**
 * `loadConfig`: default.yaml ← local.yaml ← environment, validated once, every problem
 * reported together with the YAML path or environment variable that caused it, then frozen.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { PlainObject } from './config-files.ts';
import { hasPath, mergeLayers, readYamlFile } from './config-files.ts';
import { describeIssue, describeUnknownKey, formatPath, knownKeysAt } from './config-problems.ts';
import { fileConfigSchema } from './config.schema.ts';
import { crossCheckQueueBackend } from './queue-backend.check.ts';
import { crossCheckStorage, resolveStorage } from './storage-backend.check.ts';
import type { FileConfig } from './config.schema.ts';
import type { Secrets } from './config-secrets.ts';
import { crossCheckPlatforms, readSecrets, resolveSlackMode } from './config-secrets.ts';
import type { ConfigProblem, DarkroomConfig, LoadConfigResult } from './config.types.ts';
import { deepFreeze } from './deep-freeze.ts';
import type { Environment } from './environment.ts';
import { CONFIG_DIR_VARIABLE, environmentValue } from './environment.ts';
import { applyEnvironmentOverrides } from './environment-overrides.ts';
import { defaultsFile as projectDefaultsFile, projectConfigDir, projectRoot } from './project-paths.ts';

export interface LoadConfigOptions {
  /** Folder holding `local.yaml`; undefined = `DARKROOM_CONFIG_DIR`, else the project's `config/`. */
  configDir: string | undefined;
  env: Environment;
  /** Relative paths given in environment variables are resolved against it (the shell's folder). */
  workingDir: string;
  /** The defaults layer; undefined = the project's `config/default.yaml`. */
  defaultsFile: string | undefined;
}

/** Where a YAML path would point in a secret-only world: `discord.token` → `DISCORD_TOKEN`. */
const secretHints: Record<string, string> = {
  'discord.token': 'DISCORD_TOKEN',
  'slack.botToken': 'SLACK_BOT_TOKEN',
  'slack.token': 'SLACK_BOT_TOKEN',
  'slack.signingSecret': 'SLACK_SIGNING_SECRET',
  'slack.appToken': 'SLACK_APP_TOKEN',
  'models.hubToken': 'HF_TOKEN',
  'models.token': 'HF_TOKEN',
};

interface Layers {
  defaults: PlainObject;
  local: PlainObject | undefined;
  defaultsFile: string;
  localFile: string;
  /** Formatted YAML path → environment variable that set it. */
  fromEnvironment: Map<string, string>;
}

/** Loads, validates and freezes the configuration; never throws for a person's mistake. */
export function loadConfig(options: LoadConfigOptions): LoadConfigResult {
  const { env, workingDir } = options;
  const problems: ConfigProblem[] = [];
  const configDirSetting = options.configDir ?? environmentValue(env, CONFIG_DIR_VARIABLE);
  const configDir = path.resolve(workingDir, configDirSetting ?? projectConfigDir);
  if (configDirSetting !== undefined && !existsSync(configDir)) {
    problems.push({ path: CONFIG_DIR_VARIABLE, message: `folder ${configDir} does not exist`, source: 'environment' });
  }
  const defaultsFile = options.defaultsFile ?? projectDefaultsFile;
  const localFile = path.join(configDir, 'local.yaml');
  const defaultsRead = readYamlFile(defaultsFile);
  const localRead = readYamlFile(localFile);
  if (!defaultsRead.ok) problems.push(defaultsRead.problem);
  else if (defaultsRead.value === undefined) {
    problems.push({ path: defaultsFile, message: 'is missing (it ships with Darkroom: restore it from git)', source: defaultsFile });
  }
  if (!localRead.ok) problems.push(localRead.problem);

  const layers: Layers = {
    defaults: (defaultsRead.ok ? defaultsRead.value : undefined) ?? {},
    local: localRead.ok ? localRead.value : undefined,
    defaultsFile,
    localFile,
    fromEnvironment: new Map(),
  };
  // A copy: the overrides below must not change the layers (they tell which file a value came from).
  const raw = structuredClone(mergeLayers(layers.defaults, layers.local ?? {}));
  const overrides = applyEnvironmentOverrides(raw, env, workingDir);
  for (const override of overrides.applied) layers.fromEnvironment.set(formatPath(override.path), override.variable);
  problems.push(...overrides.problems);

  const parsed = fileConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => issueProblems(issue, layers)));
  const { secrets, problems: secretProblems } = readSecrets(env);
  problems.push(...secretProblems);
  const discord = raw['discord'];
  const slack = raw['slack'];
  problems.push(
    ...crossCheckPlatforms(
      {
        discordEnabled: (discord as PlainObject | undefined)?.['enabled'],
        slackEnabled: (slack as PlainObject | undefined)?.['enabled'],
        slackMode: (slack as PlainObject | undefined)?.['mode'],
      },
      secrets,
    ),
  );
  if (parsed.success) problems.push(...crossCheckStorage(parsed.data, secrets, (keyPath) => (environmentSource(formatPath(keyPath), layers) !== undefined ? 'environment' : sourceOf(keyPath, layers))));
  if (parsed.success) problems.push(...crossCheckQueueBackend(parsed.data, (keyPath) => (environmentSource(formatPath(keyPath), layers) !== undefined ? 'environment' : sourceOf(keyPath, layers))));
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const files = [defaultsFile, ...(layers.local !== undefined ? [localFile] : [])];
  return { ok: true, config: deepFreeze(assemble(parsed.data, secrets, configDir, files)) };
}

/** The variable that set the option at `formatted` (or a mapping or list holding it), and where inside. */
function environmentSource(formatted: string, layers: Layers): { variable: string; where: string } | undefined {
  for (const [prefix, variable] of layers.fromEnvironment) {
    if (formatted === prefix || formatted.startsWith(`${prefix}[`) || formatted.startsWith(`${prefix}.`)) {
      const rest = formatted.slice(prefix.length);
      const item = rest.match(/^\[(\d+)\]/);
      const where = item?.[1] !== undefined ? `item ${Number(item[1]) + 1}: ` : rest.startsWith('.') ? `${rest.slice(1)}: ` : '';
      return { variable, where };
    }
  }
  return undefined;
}

/** One zod issue → one problem per offending option, attributed to its file or variable. */
function issueProblems(issue: z.core.$ZodIssue, layers: Layers): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyPath = [...issue.path, key];
      const formatted = formatPath(keyPath);
      const message = describeUnknownKey(key, knownKeysAt(layers.defaults, issue.path), secretHints[formatted]);
      const fromVariable = environmentSource(formatted, layers);
      if (fromVariable !== undefined) return { path: fromVariable.variable, message: `${fromVariable.where}${message}`, source: 'environment' };
      return { path: formatted, message, source: sourceOf(keyPath, layers) };
    });
  }
  const formatted = formatPath(issue.path);
  const fromVariable = environmentSource(formatted, layers);
  if (fromVariable !== undefined) {
    return [{ path: fromVariable.variable, message: `${fromVariable.where}${describeIssue(issue)}`, source: 'environment' }];
  }
  return [{ path: formatted, message: describeIssue(issue), source: sourceOf(issue.path, layers) }];
}

function sourceOf(keyPath: readonly PropertyKey[], layers: Layers): string {
  return hasPath(layers.local, keyPath) ? layers.localFile : layers.defaultsFile;
}

function assemble(file: FileConfig, secrets: Secrets, configDir: string, files: string[]): DarkroomConfig {
  // Paths in YAML are relative to the Darkroom folder (environment paths are already absolute).
  const inProject = (value: string): string => path.resolve(projectRoot, value);
  const appToken = secrets.SLACK_APP_TOKEN;
  return {
    configDir,
    files,
    dataDir: inProject(file.dataDir),
    log: file.log,
    database: { url: file.database.url ?? undefined },
    storage: resolveStorage(file, secrets, path.join(inProject(file.dataDir), 'images')),
    engine: { ...file.engine, upscaler: file.engine.upscaler === 'none' ? undefined : inProject(file.engine.upscaler) },
    models: {
      dir: inProject(file.models.dir),
      catalog: inProject(file.models.catalog),
      hubUrl: file.models.hubUrl,
      hubToken: secrets.HF_TOKEN,
    },
    generation: file.generation,
    queue: file.queue,
    limits: file.limits,
    shutdown: file.shutdown,
    startup: file.startup,
    moderation: file.moderation,
    discord: {
      ...file.discord,
      enabled: file.discord.enabled === 'auto' ? secrets.DISCORD_TOKEN !== undefined : file.discord.enabled,
      token: secrets.DISCORD_TOKEN,
    },
    slack: {
      enabled: file.slack.enabled === 'auto' ? secrets.SLACK_BOT_TOKEN !== undefined : file.slack.enabled,
      mode: resolveSlackMode(file.slack.mode, appToken),
      botToken: secrets.SLACK_BOT_TOKEN,
      signingSecret: secrets.SLACK_SIGNING_SECRET,
      appToken,
      port: file.slack.port,
      apiUrl: file.slack.apiUrl,
    },
    metrics: file.metrics,
  };
}
