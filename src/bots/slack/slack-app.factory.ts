/**
 * The Bolt app for either connection mode. Socket Mode (when an app token is configured) needs
 * no public URL: the app opens a WebSocket to Slack. HTTP mode listens on a port for Slack's
 * signed requests; Bolt checks each signature and timestamp with the signing secret and
 * answers 401 when one is wrong or older than five minutes. Both modes send Web API calls to
 * `apiUrl` (`SLACK_API_URL`); the Socket Mode receiver has a Web API client of its own (for
 * `apps.connections.open`) that ignores the app's client options, so it is given the URL too.
 */
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../../config/config.types.ts';
import type { ChatApiObserver } from '../../observability/chat-api-observer.ts';
import { boltLogger } from './bolt-logger.ts';
import { observedFetch } from './observed-fetch.ts';

/** Three retries, about 1, 2 and 4 s apart (rate-limited calls wait for Slack's Retry-After). */
const WEB_API_RETRIES = { retries: 3, factor: 2, minTimeout: 1_000, maxTimeout: 8_000 };

/** The path Slack's requests go to in HTTP mode (Request URL in the app settings / manifest). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  config: Pick<SlackConfig, 'mode' | 'botToken' | 'signingSecret' | 'appToken' | 'apiUrl'>;
  logger: Logger;
  /** Socket Mode ping timeout; also the pause before a reconnect (the client's default is 5000 ms). */
  socketPingTimeoutMs: number | undefined;
  /** Told about error answers of the Web API (metrics); undefined = nobody. */
  apiObserver?: ChatApiObserver | undefined;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new Error(`${name} is required for the Slack adapter`);
  return value;
}

/** A Bolt app that is not initialised yet (no Web API call happens until `app.init()`). */
export function createSlackApp(options: SlackAppOptions): App {
  const { config } = options;
  const logger = boltLogger(options.logger);
  // The Web API base must end with a slash: methods are appended to it.
  const slackApiUrl = config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
  const receiver: Receiver =
    config.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: required(config.appToken, 'SLACK_APP_TOKEN'),
          logger,
          installerOptions: { clientOptions: { slackApiUrl } },
          ...(options.socketPingTimeoutMs === undefined ? {} : { clientPingTimeout: options.socketPingTimeoutMs }),
        })
      : new HTTPReceiver({
          signingSecret: required(config.signingSecret, 'SLACK_SIGNING_SECRET'),
          endpoints: SLACK_EVENTS_PATH,
          logger,
        });
  return new App({
    token: required(config.botToken, 'SLACK_BOT_TOKEN'),
    receiver,
    logger,
    // The Web API client retries network errors and 5xx ten times over half an hour by default:
    // far too long for a status edit, and it would keep a stopping process alive.
    clientOptions: { slackApiUrl, retryConfig: WEB_API_RETRIES, ...(options.apiObserver ? { fetch: observedFetch(options.apiObserver) } : {}) },
    // Events caused by the bot itself (its own hint reactions) must never trigger work.
    ignoreSelf: true,
    deferInitialization: true,
  });
}
