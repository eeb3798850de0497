/**
 * Inbound requests as Slack signs them: `X-Slack-Signature: v0=<hex HMAC-SHA256(secret,
 * "v0:" + timestamp + ":" + raw body)>` and `X-Slack-Request-Timestamp`. Slash commands and
 * interactivity are exactly `application/x-www-form-urlencoded` (interactivity is one field
 * `payload=<JSON>`); Events API bodies are `application/json`. Retries carry `X-Slack-Retry-Num`.
 */
import { createHmac } from 'node:crypto';

export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export type InboundBody = { kind: 'form'; fields: Record<string, string> } | { kind: 'interactive'; payload: unknown } | { kind: 'event'; body: unknown };

/** The raw body and content type Slack would send. */
export function encodeInbound(body: InboundBody): { rawBody: string; contentType: string } {
  switch (body.kind) {
    case 'form':
      return { rawBody: new URLSearchParams(body.fields).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'interactive':
      return { rawBody: new URLSearchParams({ payload: JSON.stringify(body.payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
    case 'event':
      return { rawBody: JSON.stringify(body.body), contentType: 'application/json' };
  }
}

export interface SignedPostOptions {
  signingSecret: string;
  /** Epoch seconds; default now. */
  timestamp: number | undefined;
  /** Send this signature instead of the right one. */
  signature: string | undefined;
  retryNum: number | undefined;
}

export interface SignedPostResult {
  status: number;
  body: string;
  /** Milliseconds until the response arrived (the ack, for slash commands and actions). */
  elapsedMs: number;
}

/** POSTs a signed Slack request to the app's endpoint. */
export async function postSigned(url: string, body: InboundBody, options: Partial<SignedPostOptions> & { signingSecret: string }): Promise<SignedPostResult> {
  const { rawBody, contentType } = encodeInbound(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(options.signingSecret, timestamp, rawBody),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body: rawBody });
  const text = await response.text();
  return { status: response.status, body: text, elapsedMs: performance.now() - started };
}
