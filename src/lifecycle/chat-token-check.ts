/**
 * `darkroom doctor`'s look at the chat platforms: which tokens are set, which Slack mode they
 * give, and whether Discord and Slack accept the tokens. One cheap read-only call per token
 * (Discord `GET /users/@me`, Slack `auth.test`; Socket Mode's `apps.connections.open` only
 * hands out a one-time URL), each bounded by a timeout, so doctor never hangs on the network.
 * Plain fetch: the chat SDKs stay in their adapters.
 */
import type { DiscordConfig, SlackConfig } from '../config/config.types.ts';

/** What one token check found. `accepted` undefined: no verdict (offline, no answer in time). */
export interface TokenVerdict {
  readonly accepted: boolean | undefined;
  /** One line for the report, e.g. `token accepted (bot Darkroom, id 1234)`. */
  readonly text: string;
}

/** The chat section of doctor: report lines, and what must be fixed before `start` can serve. */
export interface ChatFacts {
  readonly lines: readonly string[];
  /** Tokens a platform refused, in words with the fix; empty when none was refused. */
  readonly refused: readonly string[];
}

export interface ChatCheckOptions {
  /** false: report the configuration only, call nobody (`doctor --offline`). */
  readonly online: boolean;
  /** Bound of each call, connection included. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

/** Bound of each token check in `darkroom doctor`. */
export const TOKEN_CHECK_TIMEOUT_MS = 5_000;

interface CallAnswer {
  status: number;
  json: Record<string, unknown> | undefined;
}

/** One request with a deadline; a network failure or timeout comes back as words. */
async function call(options: ChatCheckOptions, url: string, init: RequestInit): Promise<CallAnswer | string> {
  try {
    const response = await options.fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error' });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      json = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') return `no answer from ${new URL(url).origin} within ${options.timeoutMs / 1000} s`;
    const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    const detail = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.message : String(error);
    return `cannot reach ${new URL(url).origin} (${detail})`;
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Asks Discord who the bot token belongs to. */
export async function checkDiscordToken(discord: Pick<DiscordConfig, 'token' | 'apiUrl'>, options: ChatCheckOptions): Promise<TokenVerdict> {
  const base = discord.apiUrl.replace(/\/+$/, '');
  const answer = await call(options, `${base}/v10/users/@me`, { headers: { Authorization: `Bot ${discord.token ?? ''}` } });
  if (typeof answer === 'string') return { accepted: undefined, text: `token not checked: ${answer}` };
  if (answer.status === 200) {
    const name = text(answer.json?.['username']) ?? '?';
    return { accepted: true, text: `token accepted (bot ${name}, id ${text(answer.json?.['id']) ?? '?'})` };
  }
  if (answer.status === 401 || answer.status === 403) {
    return { accepted: false, text: `token refused by Discord (HTTP ${answer.status}): reset it in the Developer Portal → Bot → Reset Token` };
  }
  return { accepted: undefined, text: `token not checked: Discord answered HTTP ${answer.status}` };
}

/** Slack Web API call with a token, form-encoded, as Slack wants. */
async function slackCall(slack: Pick<SlackConfig, 'apiUrl'>, method: string, token: string, options: ChatCheckOptions): Promise<CallAnswer | string> {
  const base = slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/`;
  return call(options, `${base}${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: '',
  });
}

function slackVerdict(answer: CallAnswer | string, what: string, accepted: (json: Record<string, unknown>) => string): TokenVerdict {
  if (typeof answer === 'string') return { accepted: undefined, text: `${what} not checked: ${answer}` };
  if (answer.json?.['ok'] === true) return { accepted: true, text: `${what} accepted${accepted(answer.json)}` };
  const error = text(answer.json?.['error']);
  if (error === undefined) return { accepted: undefined, text: `${what} not checked: Slack answered HTTP ${answer.status}` };
  return { accepted: false, text: `${what} refused by Slack (${error})` };
}

/** Asks Slack whose the bot token is, and (Socket Mode) whether the app token may connect. */
export async function checkSlackTokens(
  slack: Pick<SlackConfig, 'mode' | 'botToken' | 'appToken' | 'apiUrl'>,
  options: ChatCheckOptions,
): Promise<TokenVerdict[]> {
  const bot = slackCall(slack, 'auth.test', slack.botToken ?? '', options).then((answer) =>
    slackVerdict(answer, 'bot token', (json) => ` (@${text(json['user']) ?? '?'} in ${text(json['team']) ?? '?'})`),
  );
  if (slack.mode !== 'socket') return [await bot];
  const app = slackCall(slack, 'apps.connections.open', slack.appToken ?? '', options).then((answer) =>
    slackVerdict(answer, 'app token', () => ' (Socket Mode can connect)'),
  );
  return Promise.all([bot, app]);
}

function discordSummary(discord: DiscordConfig): string {
  const where = discord.guildIds.length > 0 ? `slash commands in ${discord.guildIds.length} server(s)` : 'slash commands global';
  return `Discord: DISCORD_TOKEN set; ${where}; direct messages ${discord.allowDMs ? 'on' : 'off'}`;
}

function slackSummary(slack: SlackConfig): string {
  if (slack.mode === 'socket') return 'Slack: SLACK_BOT_TOKEN and SLACK_APP_TOKEN set; Socket Mode (no public URL needed)';
  const secret = slack.signingSecret !== undefined ? 'SLACK_SIGNING_SECRET set (checked on every request, not here)' : 'SLACK_SIGNING_SECRET missing';
  return `Slack: SLACK_BOT_TOKEN set; HTTP on port ${slack.port}, ${secret}`;
}

/** The chat section of `darkroom doctor`: configuration, and the platforms' verdict on the tokens. */
export async function gatherChatFacts(discord: DiscordConfig, slack: SlackConfig, options: ChatCheckOptions): Promise<ChatFacts> {
  const lines: string[] = [];
  const refused: string[] = [];
  const note = (platform: string, verdicts: readonly TokenVerdict[]): void => {
    for (const verdict of verdicts) {
      lines.push(`  ${verdict.text}`);
      if (verdict.accepted === false) refused.push(`${platform} ${verdict.text}`);
    }
  };
  const [discordVerdicts, slackVerdicts] = await Promise.all([
    discord.enabled && options.online ? checkDiscordToken(discord, options).then((verdict) => [verdict]) : Promise.resolve([]),
    slack.enabled && options.online ? checkSlackTokens(slack, options) : Promise.resolve([]),
  ]);
  if (discord.enabled) {
    lines.push(discordSummary(discord));
    note('Discord', discordVerdicts);
  } else {
    lines.push('Discord: not configured (DISCORD_TOKEN is not set)');
  }
  if (slack.enabled) {
    lines.push(slackSummary(slack));
    note('Slack', slackVerdicts);
  } else {
    lines.push('Slack: not configured (SLACK_BOT_TOKEN is not set)');
  }
  if (!options.online && (discord.enabled || slack.enabled)) lines.push('  tokens not checked (--offline)');
  return { lines, refused };
}
