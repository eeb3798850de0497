/**
 * What the metrics see of Slack: the real bolt client against the fake Slack, with the
 * adapter's API observer backed by the real Prometheus metrics. Slack answers errors as
 * `ok: false` with a code; those and HTTP errors are counted by code or status.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observability } from '../../../src/observability/index.ts';
import { parsePrometheusText, sampleValue } from '../observability/prometheus-text.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { eventually, nthEphemeral } from './support/slack-results.ts';

describe('Slack API errors in the metrics', () => {
  let harness: SlackHarness;
  const observability = new Observability({ config: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'silent' }), now: Date.now });

  async function errors(status: string): Promise<number | undefined> {
    return sampleValue(parsePrometheusText((await observability.metrics.render()).body), 'darkroom_chat_api_errors_total', { platform: 'slack', status });
  }

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http', apiObserver: observability.chatObserver('slack') });
  });
  afterAll(() => harness?.stop(true));

  it('is connected once started, and counts an ok:false answer by its Slack error code', async () => {
    expect(harness.adapter.connected).toBe(true);
    expect(await errors('not_in_channel')).toBeUndefined();
    await harness.slash({ command: '/imagine', text: 'a closed door --count 1', user: PEOPLE.bob.id, channel: CHANNELS.closed });
    expect(await nthEphemeral(harness.fake, PEOPLE.bob.id, 1)).toContain('not_in_channel');
    expect(await eventually(() => errors('not_in_channel'), 'the not_in_channel error in the metrics')).toBe(1);
  });
});
