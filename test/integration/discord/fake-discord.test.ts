/**
 * The fake Discord itself: it must catch what Discord would reject, or the end-to-end tests
 * prove nothing. Bodies that break the OpenAPI spec, multipart files without their attachment
 * entry (and the reverse), expired interaction tokens (401 / 50027) and rate limits (429 with
 * retry_after and X-RateLimit headers) are all seen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DISCORD_LIKE_RULES, SCENE, startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';
import { sharedSkipReason } from '../../support/shared-dir.ts';
import { loadSpec } from './support/discord-harness.ts';

let fake: FakeDiscord | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(method: string, path: string, body: unknown): Promise<{ status: number; json: unknown; headers: Headers }> {
  const response = await fetch(`${fake?.apiUrl}/v10${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bot ${SCENE.token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

/** An acknowledged (deferred) interaction whose `@original` can be edited. */
async function deferredInteraction(channelId: string = SCENE.general): Promise<{ id: string; token: string }> {
  fake?.world.commands.set(SCENE.guildId, [{ id: '1', name: 'ping', options: [] }]);
  const interaction = fake?.slash('ping', {}, { user: SCENE.alice, channelId });
  if (interaction === undefined) throw new Error('no fake');
  expect((await call('POST', `/interactions/${interaction.id}/${interaction.token}/callback`, { type: 5, data: { flags: 0 } })).status).toBe(204);
  return interaction;
}

describe('fake Discord', () => {
  it.skipIf(sharedSkipReason !== '')('records bodies that break the OpenAPI spec' + sharedSkipReason, async () => {
    fake = await startFakeDiscord({ spec: await loadSpec() });
    const interaction = await deferredInteraction();
    expect(fake.world.violations).toEqual([]);
    await call('PATCH', `/webhooks/${SCENE.applicationId}/${interaction.token}/messages/@original`, { content: 42, embeds: [{ title: ['not', 'text'] }] });
    expect(fake.world.violations).toHaveLength(1);
    expect(fake.world.violations[0]?.problems.join('\n')).toMatch(/\/content must be string/);
    expect(fake.world.violations[0]?.problems.join('\n')).toMatch(/\/embeds\/0\/title must be string/);
  });

  it('matches every multipart file to its attachment entry', async () => {
    fake = await startFakeDiscord({ spec: undefined });
    const interaction = await deferredInteraction();
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'x', attachments: [{ id: 0, filename: 'a.png' }, { id: 1, filename: 'b.png' }] }));
    form.append('files[0]', new Blob([Buffer.from('png')]), 'a.png');
    form.append('files[2]', new Blob([Buffer.from('png')]), 'c.png');
    const response = await fetch(`${fake.apiUrl}/v10/webhooks/${SCENE.applicationId}/${interaction.token}/messages/%40original`, { method: 'PATCH', body: form });
    // Attachment 1 has no file part: Discord refuses the edit.
    expect(response.status).toBe(400);
    expect(fake.world.violations.flatMap((violation) => violation.problems)).toEqual([
      'files[2] (c.png) is claimed by 0 attachments[] entries',
      'attachments[] entry 1 is neither an existing attachment nor a files[] part',
    ]);
  });

  it('refuses an interaction token after 15 minutes with 401 / 50027 Invalid Webhook Token', async () => {
    fake = await startFakeDiscord({ spec: undefined });
    const interaction = await deferredInteraction();
    const path = `/webhooks/${SCENE.applicationId}/${interaction.token}/messages/@original`;
    expect((await call('PATCH', path, { content: 'fresh' })).status).toBe(200);
    fake.clock.advance(14 * 60_000);
    expect((await call('PATCH', path, { content: 'still fine' })).status).toBe(200);
    fake.clock.advance(2 * 60_000);
    const late = await call('PATCH', path, { content: 'too late' });
    expect([late.status, late.json]).toEqual([401, { code: 50027, message: 'Invalid Webhook Token' }]);
  });

  it('enforces per-bucket rate limits with headers, 429 and retry_after, and counts them', async () => {
    fake = await startFakeDiscord({ spec: undefined, rateLimits: DISCORD_LIKE_RULES });
    const interaction = await deferredInteraction();
    const path = `/webhooks/${SCENE.applicationId}/${interaction.token}/messages/@original`;
    const answers = [];
    for (let n = 0; n < 6; n++) answers.push(await call('PATCH', path, { content: `edit ${n}` }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[0]?.headers.get('x-ratelimit-limit')).toBe('5');
    expect(answers[3]?.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(answers[5]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((answers[5]?.json as { retry_after: number }).retry_after).toBeGreaterThan(4);
    expect(fake.world.rateLimitHits).toHaveLength(1);
    // Another token in another channel is another bucket.
    const other = await deferredInteraction(SCENE.nsfwChannel);
    expect((await call('PATCH', `/webhooks/${SCENE.applicationId}/${other.token}/messages/@original`, { content: 'x' })).status).toBe(200);
  });

  it('counts edits of every message in one channel against one channel-wide limit, whichever token edits', async () => {
    fake = await startFakeDiscord({ spec: undefined, rateLimits: DISCORD_LIKE_RULES });
    const tokens = [await deferredInteraction(), await deferredInteraction(), await deferredInteraction()];
    const statuses = [];
    for (let n = 0; n < 6; n++) {
      const token = tokens[n % tokens.length]?.token ?? '';
      statuses.push((await call('PATCH', `/webhooks/${SCENE.applicationId}/${token}/messages/@original`, { content: `edit ${n}` })).status);
    }
    // Each token made only two edits, but the channel had six.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(fake.world.rateLimitHits.map((hit) => hit.bucket)).toEqual([`channel-edits:${SCENE.general}`]);
  });
});
