/**
 * The fake Slack holds the bot to Slack's rules, or the end-to-end tests would pass against
 * things Slack refuses: tokens, form encoding, upload sizes and parts, Block Kit limits, and the
 * Socket Mode handshake (one-time URLs, hello, acks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeSlack } from '../../fakes/slack/index.ts';
import { IDENTITY, PEOPLE } from './support/slack-harness.ts';

describe('the fake Slack', () => {
  let slack: FakeSlack;

  beforeAll(async () => {
    slack = await FakeSlack.start({ identity: IDENTITY, users: Object.values(PEOPLE) });
  });
  afterAll(() => slack?.close());

  const call = (method: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${IDENTITY.botToken}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    }).then((response) => response.json() as Promise<Record<string, unknown>>);

  it('wants the bot token (the app token only for apps.connections.open), like Slack: HTTP 200 with ok false', async () => {
    expect(await call('auth.test', {}, { authorization: '' })).toEqual({ ok: false, error: 'not_authed' });
    expect(await call('auth.test', {}, { authorization: `Bearer ${IDENTITY.appToken}` })).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('auth.test', {})).toMatchObject({ ok: true, user_id: IDENTITY.bot.userId, bot_id: IDENTITY.bot.botId });
    expect(await call('apps.connections.open', {})).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('apps.connections.open', {}, { authorization: `Bearer ${IDENTITY.appToken}` })).toMatchObject({ ok: true, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\//) });
  });

  it('records a JSON body as a violation (the Web API is form-encoded) and refuses broken Block Kit', async () => {
    const before = slack.workspace.violations.length;
    await call('chat.postMessage', { channel: 'C1', text: 'hi' }, { 'content-type': 'application/json' });
    expect(slack.workspace.violations.slice(before)).toEqual(['chat.postMessage: content-type application/json, expected application/x-www-form-urlencoded']);
    const tooLong = [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } }] }];
    expect(await call('chat.postMessage', { channel: 'C1', text: 'hi', blocks: JSON.stringify(tooLong) })).toEqual({ ok: false, error: 'invalid_blocks' });
    const twice = [{ type: 'actions', elements: [1, 2].map(() => ({ type: 'button', action_id: 'same', text: { type: 'plain_text', text: 'b' } })) }];
    expect(await call('chat.postMessage', { channel: 'C1', text: 'hi', blocks: JSON.stringify(twice) })).toEqual({ ok: false, error: 'invalid_blocks' });
  });

  it('refuses what Slack refuses past the other Block Kit limits: 51 blocks, long context / header / section text, a text over 40,000', async () => {
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    const post = (blocks: unknown[], text = 'hi') => call('chat.postMessage', { channel: 'C1', text, blocks: JSON.stringify(blocks) });
    expect(await post(Array.from({ length: 51 }, () => section('x')))).toEqual({ ok: false, error: 'invalid_blocks' });
    expect(await post(Array.from({ length: 50 }, () => section('x')))).toMatchObject({ ok: true });
    expect(await post([section('y'.repeat(3001))])).toEqual({ ok: false, error: 'invalid_blocks' });
    const context = (count: number, length: number) => ({ type: 'context', elements: Array.from({ length: count }, () => ({ type: 'mrkdwn', text: 'c'.repeat(length) })) });
    expect(await post([context(11, 5)])).toEqual({ ok: false, error: 'invalid_blocks' });
    expect(await post([context(1, 2001)])).toEqual({ ok: false, error: 'invalid_blocks' });
    expect(await post([context(10, 2000)])).toMatchObject({ ok: true });
    expect(await post([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])).toEqual({ ok: false, error: 'invalid_blocks' });
    const manyButtons = { type: 'actions', elements: Array.from({ length: 26 }, (_, n) => ({ type: 'button', action_id: `b${n}`, text: { type: 'plain_text', text: 'b' } })) };
    expect(await post([manyButtons])).toEqual({ ok: false, error: 'invalid_blocks' });
    expect(await call('chat.postMessage', { channel: 'C1', text: 't'.repeat(40_001) })).toEqual({ ok: false, error: 'msg_too_long' });
  });

  it('conversations.history: top-level messages newest first, paged, metadata only when asked for, bot must be in the channel', async () => {
    const metadata = JSON.stringify({ event_type: 'darkroom_job', event_payload: { job_id: 'job1' } });
    const first = await call('chat.postMessage', { channel: 'C9', text: 'first', metadata });
    const second = await call('chat.postMessage', { channel: 'C9', text: 'second' });
    await call('chat.postMessage', { channel: 'C9', text: 'in a thread', thread_ts: first['ts'] as string });
    expect(await call('chat.postMessage', { channel: 'C9', text: 'x', metadata: JSON.stringify({ event_payload: {} }) })).toEqual({ ok: false, error: 'invalid_metadata_format' });
    const page1 = await call('conversations.history', { channel: 'C9', limit: '1' });
    expect((page1['messages'] as Array<{ ts: string }>).map((message) => message.ts)).toEqual([second['ts']]);
    const cursor = (page1['response_metadata'] as { next_cursor: string }).next_cursor;
    const page2 = await call('conversations.history', { channel: 'C9', limit: '1', cursor });
    expect(page2['messages']).toEqual([expect.not.objectContaining({ metadata: expect.anything() })]);
    const withMetadata = await call('conversations.history', { channel: 'C9', include_all_metadata: 'true', latest: second['ts'] as string });
    expect(withMetadata['messages']).toEqual([expect.objectContaining({ ts: first['ts'], metadata: { event_type: 'darkroom_job', event_payload: { job_id: 'job1' } } })]);
    slack.workspace.channelsWithoutBot.add('C8');
    expect(await call('conversations.history', { channel: 'C8' })).toEqual({ ok: false, error: 'not_in_channel' });
  });

  it('a response_url refuses broken Block Kit too (HTTP 400), and records it', async () => {
    const before = slack.workspace.violations.length;
    const blocks = Array.from({ length: 51 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'x' } }));
    const response = await fetch(slack.responseUrl(PEOPLE.alice.id), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x', blocks }) });
    expect(response.status).toBe(400);
    expect(slack.workspace.violations.slice(before)).toEqual([expect.stringContaining('51 blocks (max 50)')]);
  });

  it('takes an upload only as multipart with a part named body, of the declared length, then shares it in the thread', async () => {
    const parent = await call('chat.postMessage', { channel: 'C1', text: 'status' });
    const url = await call('files.getUploadURLExternal', { filename: 'x-1.png', length: '4' });
    const upload = (form: FormData) => fetch(url['upload_url'] as string, { method: 'POST', body: form });
    const wrongPart = new FormData();
    wrongPart.append('file', new Blob([new Uint8Array([1, 2, 3, 4])]), 'x-1.png');
    expect((await upload(wrongPart)).status).toBe(400);
    const wrongSize = new FormData();
    wrongSize.append('body', new Blob([new Uint8Array([1, 2, 3])]), 'x-1.png');
    expect((await upload(wrongSize)).status).toBe(400);
    const right = new FormData();
    right.append('body', new Blob([new Uint8Array([1, 2, 3, 4])]), 'x-1.png');
    expect((await upload(right)).status).toBe(200);
    const files = JSON.stringify([{ id: url['file_id'], title: 'Image 1' }]);
    expect(await call('files.completeUploadExternal', { files, channel_id: 'C1', thread_ts: parent['ts'] as string, initial_comment: 'Image 1' })).toMatchObject({ ok: true });
    const [message] = slack.workspace.thread('C1', parent['ts'] as string);
    expect(message?.fileIds).toEqual([url['file_id']]);
    expect(slack.workspace.files.get(url['file_id'] as string)?.bytes).toEqual(Buffer.from([1, 2, 3, 4]));
  });

  it('Socket Mode: a one-time URL, hello on connect, and envelopes resolved by their acks', async () => {
    const open = await call('apps.connections.open', {}, { authorization: `Bearer ${IDENTITY.appToken}` });
    const socket = new WebSocket(open['url'] as string);
    const hello = await new Promise<Record<string, unknown>>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
    expect(hello['type']).toBe('hello');
    socket.on('message', (data) => {
      const envelope = JSON.parse(String(data)) as { envelope_id: string };
      socket.send(JSON.stringify({ envelope_id: envelope.envelope_id }));
    });
    const ack = await slack.socketMode.send('events_api', { event: { type: 'reaction_added' } }, { retryAttempt: 1 });
    expect(slack.socketMode.acked).toContain(ack.envelopeId);
    // The URL worked once; a second connection with it is refused.
    const reused = new WebSocket(open['url'] as string);
    const outcome = await new Promise<string>((resolve) => {
      reused.on('open', () => resolve('open'));
      reused.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
    socket.close();
  });
});
