/**
 * The test helper that signs inbound requests must sign exactly like Slack, or every HTTP-mode
 * test proves nothing: checked against Slack's published example (docs, "Verifying requests
 * from Slack") and against Bolt's own verifier.
 */
import { isValidSlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { encodeInbound, slackSignature } from '../../fakes/slack/index.ts';

const SLACK_EXAMPLE = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: 1531420618,
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
    '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
    '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

describe('slackSignature', () => {
  it("reproduces Slack's published test vector", () => {
    expect(slackSignature(SLACK_EXAMPLE.secret, SLACK_EXAMPLE.timestamp, SLACK_EXAMPLE.body)).toBe(SLACK_EXAMPLE.signature);
  });

  it("signs what Bolt's verifier accepts, and a changed body or secret is rejected", () => {
    const { rawBody } = encodeInbound({ kind: 'interactive', payload: { type: 'block_actions', actions: [{ action_id: 'reroll:abc' }] } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'x-slack-signature': slackSignature('secret-1', timestamp, rawBody), 'x-slack-request-timestamp': timestamp };
    expect(isValidSlackRequest({ signingSecret: 'secret-1', body: rawBody, headers })).toBe(true);
    expect(isValidSlackRequest({ signingSecret: 'secret-2', body: rawBody, headers })).toBe(false);
    expect(isValidSlackRequest({ signingSecret: 'secret-1', body: `${rawBody}x`, headers })).toBe(false);
  });

  it('encodes slash commands and interactivity as plain form bodies, events as JSON', () => {
    expect(encodeInbound({ kind: 'form', fields: { command: '/imagine', text: 'a cat & a dog' } })).toEqual({
      rawBody: 'command=%2Fimagine&text=a+cat+%26+a+dog',
      contentType: 'application/x-www-form-urlencoded',
    });
    const interactive = encodeInbound({ kind: 'interactive', payload: { a: 1 } });
    expect(new URLSearchParams(interactive.rawBody).get('payload')).toBe('{"a":1}');
    expect(encodeInbound({ kind: 'event', body: { type: 'event_callback' } }).contentType).toBe('application/json');
  });
});
