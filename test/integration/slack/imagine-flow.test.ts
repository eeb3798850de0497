/**
 * /imagine end to end with the real Bolt app, in both connection modes: the ack, the status
 * message edited queued → running (step i/N) → done, the images uploaded with files.uploadV2
 * into its thread, and the Block Kit buttons that carry only ids.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonParam } from '../../fakes/slack/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, eventually, finishedResult, nthJob, textOf } from './support/slack-results.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

for (const mode of ['http', 'socket'] as const) {
  describe(`/imagine over ${mode === 'http' ? 'signed HTTP requests' : 'Socket Mode'}`, () => {
    let harness: SlackHarness;

    beforeAll(async () => {
      // Slow enough steps that progress edits happen between "developing" and "done".
      const engine = new FakeImageEngine({ stepMs: 120, nsfwWord: undefined, failWord: undefined, onStep: undefined });
      harness = await startSlackHarness({ mode, engine, socketPingTimeoutMs: 500 });
    });
    afterAll(() => harness?.stop(true));

    it('acks at once, then posts the status message, its progress, and two images with buttons', async () => {
      const ack = await harness.slash({ command: '/imagine', text: 'a red barn at dusk --count 2 --seed 42 --steps 4', user: PEOPLE.alice.id, channel: CHANNELS.general });
      expect(ack.status).toBe(200);
      expect(ack.elapsedMs).toBeLessThan(3_000);

      const job = await nthJob(harness, 1);
      expect([job.prompt, Number(job.seed), job.count, job.steps]).toEqual(['a red barn at dusk', 42, 2, 4]);
      const { status, imageMessages, files } = await finishedResult(harness, job.id, 2);

      // The status message went from queued to running to done, never backwards.
      const updates = harness.fake.callsOf('chat.update').filter((call) => call.params['ts'] === status.ts);
      const texts = updates.map((call) => call.params['text'] ?? '');
      const steps = texts.map((text) => /step (\d)\/4/.exec(text)?.[1]).filter((step): step is string => step !== undefined).map(Number);
      expect(steps.length).toBeGreaterThan(0);
      expect([...steps].sort()).toEqual(steps);
      expect(texts.at(-1)).toContain('seed 42');
      const posted = harness.fake.callsOf('chat.postMessage').find((call) => call.ok && call.params['channel'] === CHANNELS.general);
      // The first status line already says whose job it is, as a Slack mention.
      expect(posted?.params['text']).toMatch(/\*a red barn at dusk\* for <@U0ALICE001>: (queued, position \d+|starting now)/);
      expect(buttonsOf(status)).not.toContainEqual(expect.objectContaining({ label: 'Cancel' }));

      // Done: headline in mrkdwn bold, owner, parameters; buttons carry only ids.
      expect(textOf(status)).toContain(`*a red barn at dusk* for <@${PEOPLE.alice.id}>`);
      expect(textOf(status)).toContain('seed 42');
      const buttons = buttonsOf(status);
      expect(buttons.map((button) => button.label)).toEqual(['Upscale 1', 'Upscale 2', 'Vary 1', 'Vary 2', '🔄 Reroll', '❌ Delete']);
      expect(buttons[0]).toMatchObject({ actionId: `upscale:${job.id}:0`, value: `upscale:${job.id}:0` });
      expect(buttons[3]).toMatchObject({ actionId: `vary:${job.id}:1`, value: `vary:${job.id}:1` });
      expect(buttons[5]).toMatchObject({ actionId: `delete:${job.id}`, style: 'danger', value: files.map((file) => file.id).join(',') });
      for (const button of buttons.slice(0, 5)) expect(button.value).toMatch(/^[a-z-]+:[A-Za-z0-9_-]+(:\d)?$/);

      // One image per message in the status message's thread, each the stored PNG.
      const row = await harness.repositories.generations.get(job.id);
      expect(imageMessages.map((message) => message.text)).toEqual(['Image 1 · seed 42', 'Image 2 · seed 43']);
      expect(files.map((file) => file.name)).toEqual([`${job.id}-1.png`, `${job.id}-2.png`]);
      for (const [index, file] of files.entries()) {
        expect(file.bytes?.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
        expect(createHash('sha256').update(file.bytes!).digest('hex')).toBe(row?.images[index]?.sha256);
      }
      const completes = harness.fake.callsOf('files.completeUploadExternal');
      expect(completes.map((call) => [call.params['channel_id'], call.params['thread_ts']])).toEqual([
        [CHANNELS.general, status.ts],
        [CHANNELS.general, status.ts],
      ]);
      expect(jsonParam<Array<{ id: string; title: string }>>(completes[0]!, 'files')).toEqual([{ id: files[0]!.id, title: 'Image 1' }]);
      // The row remembers where the job lives, for buttons after a restart.
      expect(row?.chat.messageId).toBe(status.ts);
      // Hint reactions under a multi-image result: reroll only (upscale/vary need an image).
      await eventually(() => (status.reactions.size > 0 ? true : undefined), 'hint reactions');
      expect([...status.reactions.keys()]).toEqual(['arrows_counterclockwise']);
      expect(harness.fake.workspace.violations).toEqual([]);
    });

    if (mode === 'socket') {
      it('reconnects when Slack asks it to (refresh_requested) and keeps serving', async () => {
        const before = harness.fake.socketMode.connections;
        const reconnected = harness.fake.socketMode.refresh();
        await reconnected;
        expect(harness.fake.socketMode.connections).toBe(before + 1);
        expect(harness.fake.callsOf('apps.connections.open').length).toBeGreaterThanOrEqual(2);
        const ack = await harness.slash({ command: '/imagine', text: 'a quiet harbour --count 1 --steps 2', user: PEOPLE.bob.id, channel: CHANNELS.general });
        expect(ack.status).toBe(200);
        const job = await nthJob(harness, 2);
        const { files } = await finishedResult(harness, job.id, 1);
        expect(files).toHaveLength(1);
      });
    }
  });
}
