/**
 * A waiting job's Slack status message follows the queue: "position 2" becomes "position 1"
 * when the job ahead finishes, before the job starts. The engine holds jobs at gates the test
 * opens, so the queue moves exactly when the test says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { GatedImageEngine } from '../../support/generation/gated-image-engine.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { eventually, finishedResult, nthJob, statusMessage, textOf } from './support/slack-results.ts';

describe('Slack: queue positions while a job waits', () => {
  let harness: SlackHarness;
  const engine = new GatedImageEngine(new FakeImageEngine({ stepMs: 5, nsfwWord: undefined, failWord: undefined, onStep: undefined }));

  beforeAll(async () => {
    harness = await startSlackHarness({ engine });
  });
  afterAll(() => harness?.stop(true));

  const imagine = (text: string, user: string) => harness.slash({ command: '/imagine', text, user, channel: CHANNELS.general });
  const showing = async (generationId: string, pattern: RegExp) =>
    eventually(async () => {
      const status = await statusMessage(harness, generationId);
      return pattern.test(textOf(status)) ? textOf(status) : undefined;
    }, `job ${generationId} to show ${pattern}`);

  it('"position 2" becomes "position 1" when the job ahead finishes', async () => {
    engine.hold('first');
    engine.hold('second');
    await imagine('first in line --steps 2', PEOPLE.alice.id);
    await eventually(() => (engine.waiting.has('first') ? true : undefined), 'the first job to run');
    await imagine('second in line --steps 2', PEOPLE.bob.id);
    const second = await nthJob(harness, 2);
    await showing(second.id, /position 1\b/);
    await imagine('third in line --steps 2', PEOPLE.mod.id);
    const third = await nthJob(harness, 3);
    await showing(third.id, /position 2\b/);

    engine.open('first');
    await eventually(() => (engine.waiting.has('second') ? true : undefined), 'the second job to run');
    expect(await showing(third.id, /position 1\b/)).toMatch(/third in line.*queued, position 1, done in about/);

    engine.open('second');
    await finishedResult(harness, third.id, 1);
  });
});
