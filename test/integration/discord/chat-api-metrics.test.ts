/**
 * What the metrics see of Discord: the real discord.js client against the fake Discord, with
 * the adapter's API observer backed by the real Prometheus metrics. A refused request shows up
 * as an error with its status, and the adapter reports itself connected only while it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Observability } from '../../../src/observability/index.ts';
import { SCENE } from '../../fakes/discord/index.ts';
import { parsePrometheusText, sampleValue } from '../observability/prometheus-text.ts';
import { DiscordHarness } from './support/discord-harness.ts';

describe('Discord API errors in the metrics', () => {
  let harness: DiscordHarness;
  const observability = new Observability({ config: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'silent' }), now: Date.now });

  beforeAll(async () => {
    harness = await DiscordHarness.start({ apiObserver: observability.chatObserver('discord') });
  });
  afterAll(async () => harness?.close());

  it('counts a refused REST call by platform and status, and nothing for calls that went through', async () => {
    const before = parsePrometheusText((await observability.metrics.render()).body);
    expect(sampleValue(before, 'darkroom_chat_api_errors_total', { platform: 'discord', status: '403' })).toBeUndefined();
    expect(harness.adapter.connected).toBe(true);

    // Discord refuses every edit with files here (the bot lost Attach Files).
    harness.fake.world.faults.push({ when: (request) => request.method === 'PATCH' && request.files > 0, status: 403, code: 50013, message: 'Missing Permissions', times: 100 });
    const interaction = harness.fake.slash('imagine', { prompt: 'no files allowed', count: 1, steps: 2 }, { user: SCENE.alice });
    await harness.fake.original(interaction, (shown) => /could not be posted/.test(shown.content), 'the result without its images');

    const after = parsePrometheusText((await observability.metrics.render()).body);
    expect(sampleValue(after, 'darkroom_chat_api_errors_total', { platform: 'discord', status: '403' })).toBeGreaterThanOrEqual(1);
    expect(after.filter((sample) => sample.name === 'darkroom_chat_api_errors_total').map((sample) => sample.labels['status'])).toEqual(['403']);
    expect(sampleValue(after, 'darkroom_chat_rate_limited_total', { platform: 'discord' })).toBeUndefined();
  });

  it('is not connected once stopped', async () => {
    await harness.adapter.disconnect(AbortSignal.timeout(10_000));
    expect(harness.adapter.connected).toBe(false);
  });
});
