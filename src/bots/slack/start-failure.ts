/**
 * What a failed Slack start means, for the start-up retry (src/lifecycle/chat-connect.ts):
 * `auth.test` (bot token) or `apps.connections.open` (Socket Mode app token) answering
 * `invalid_auth` and the like is a refused token; the Web API client's request errors (it has
 * already retried them) and Slack outages (5xx) are worth another try.
 */
import type { ChatStartFailure } from '../../lifecycle/chat-connect.ts';
import { isNetworkFailure } from '../../lifecycle/network-failure.ts';

const REFUSALS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/** The Slack error code of a refused call (`invalid_auth`), if that is what `error` is. */
export function slackRefusal(error: unknown): string | undefined {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; data?: { error?: unknown } };
  const code = fields.data?.error;
  return fields.code === 'slack_webapi_platform_error' && typeof code === 'string' && REFUSALS.has(code) ? code : undefined;
}

/** `refused` (no retry), `unreachable` (retry), or undefined for anything else (a bug). */
export function classifySlackStartFailure(error: unknown): ChatStartFailure | undefined {
  if (slackRefusal(error) !== undefined) return 'refused';
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; statusCode?: unknown };
  if (fields.code === 'slack_webapi_request_error') return 'unreachable';
  if (fields.code === 'slack_webapi_http_error' && typeof fields.statusCode === 'number' && fields.statusCode >= 500) return 'unreachable';
  return isNetworkFailure(error) ? 'unreachable' : undefined;
}

/** The sentence for a refused Slack token, naming the refusal (`invalid_auth`). */
export function slackTokenRefused(error: unknown, mode: 'socket' | 'http'): string {
  const code = slackRefusal(error) ?? 'refused';
  const appToken = mode === 'socket' ? ', and SLACK_APP_TOKEN (Basic Information → App-Level Tokens, xapp-…, scope connections:write)' : '';
  return `Slack refused a token (${code}): check SLACK_BOT_TOKEN (OAuth & Permissions → Bot User OAuth Token, xoxb-…)${appToken}, then start again.`;
}
