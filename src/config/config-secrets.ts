/**
 * Secrets from the environment, their shape checks, and the checks that need both the file
 * options and the secrets (e.g. `discord.enabled: true` without `DISCORD_TOKEN`).
 */
import type { ConfigProblem } from './config.types.ts';
import type { Environment, SecretName } from './environment.ts';
import { SECRET_NAMES, environmentValue } from './environment.ts';

export type Secrets = Readonly<Record<SecretName, string | undefined>>;

const fromEnvironment = (name: string, message: string): ConfigProblem => ({ path: name, message, source: 'environment' });

/** Reads every secret; a value of the wrong kind (a swapped Slack token…) is a problem. */
export function readSecrets(env: Environment): { secrets: Secrets; problems: ConfigProblem[] } {
  const secrets = Object.fromEntries(SECRET_NAMES.map((name) => [name, environmentValue(env, name)])) as Record<
    SecretName,
    string | undefined
  >;
  const problems: ConfigProblem[] = [];
  const discordToken = secrets.DISCORD_TOKEN;
  if (discordToken !== undefined && /^bot\s/i.test(discordToken)) {
    problems.push(fromEnvironment('DISCORD_TOKEN', 'must be the bare bot token, without the "Bot " prefix'));
  }
  if (secrets.SLACK_BOT_TOKEN !== undefined && !secrets.SLACK_BOT_TOKEN.startsWith('xoxb-')) {
    problems.push(
      fromEnvironment('SLACK_BOT_TOKEN', 'must be a bot token starting with xoxb- (OAuth & Permissions page of the Slack app)'),
    );
  }
  if (secrets.SLACK_APP_TOKEN !== undefined && !secrets.SLACK_APP_TOKEN.startsWith('xapp-')) {
    problems.push(
      fromEnvironment('SLACK_APP_TOKEN', 'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens)'),
    );
  }
  return { secrets, problems };
}

/** The few file options the cross-checks need, as found (they may themselves be invalid). */
export interface PlatformSwitches {
  readonly discordEnabled: unknown;
  readonly slackEnabled: unknown;
  readonly slackMode: unknown;
}

/** Resolves Slack's connection mode: Socket Mode when an app token is present, unless forced. */
export function resolveSlackMode(mode: unknown, appToken: string | undefined): 'socket' | 'http' {
  if (mode === 'socket' || mode === 'http') return mode;
  return appToken !== undefined ? 'socket' : 'http';
}

/** Problems that need the file options and the secrets together. */
export function crossCheckPlatforms(switches: PlatformSwitches, secrets: Secrets): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (switches.discordEnabled === true && secrets.DISCORD_TOKEN === undefined) {
    problems.push(fromEnvironment('DISCORD_TOKEN', 'is required because discord.enabled is true'));
  }
  const botToken = secrets.SLACK_BOT_TOKEN;
  if (switches.slackEnabled === true && botToken === undefined) {
    problems.push(fromEnvironment('SLACK_BOT_TOKEN', 'is required because slack.enabled is true'));
  }
  const strayName = secrets.SLACK_APP_TOKEN !== undefined ? 'SLACK_APP_TOKEN' : secrets.SLACK_SIGNING_SECRET !== undefined ? 'SLACK_SIGNING_SECRET' : undefined;
  if (switches.slackEnabled === 'auto' && botToken === undefined && strayName !== undefined) {
    problems.push(
      fromEnvironment('SLACK_BOT_TOKEN', `is needed too: ${strayName} is set, but Darkroom cannot post to Slack without the bot token (xoxb-…)`),
    );
  }
  const slackActive = switches.slackEnabled === true || (switches.slackEnabled === 'auto' && botToken !== undefined);
  if (!slackActive) return problems;
  const mode = resolveSlackMode(switches.slackMode, secrets.SLACK_APP_TOKEN);
  if (mode === 'socket' && secrets.SLACK_APP_TOKEN === undefined) {
    problems.push(fromEnvironment('SLACK_APP_TOKEN', 'is required because slack.mode is socket'));
  }
  if (mode === 'http' && secrets.SLACK_SIGNING_SECRET === undefined) {
    problems.push(
      fromEnvironment(
        'SLACK_SIGNING_SECRET',
        'is required for Slack over HTTP (to verify requests), or set SLACK_APP_TOKEN to use Socket Mode instead',
      ),
    );
  }
  return problems;
}
