import { describe, expect, it } from 'vitest';
import { commandForButton } from '../../../src/commands/command-handlers.ts';
import { formatButtonId, parseButtonId, parseJobButtonId, type ButtonTarget } from '../../../src/commands/button-ids.ts';
import { finishedReply } from '../../../src/commands/generation-replies.ts';
import { promptOnly } from '../../../src/commands/imagine-request.parser.ts';
import { plainMentions } from '../../../src/commands/mentions.ts';
import { createHarness, from } from '../../support/service/service-harness.ts';

describe('button ids', () => {
  it('carry only action, generation id and image index, and round-trip', () => {
    const target = { action: 'upscale' as const, generationId: 'V1StGXR8_Z5j', imageIndex: 2 };
    expect(formatButtonId(target)).toBe('upscale:V1StGXR8_Z5j:2');
    expect(parseButtonId('upscale:V1StGXR8_Z5j:2')).toEqual(target);
    expect(parseButtonId('reroll:V1StGXR8_Z5j')).toEqual({ action: 'reroll', generationId: 'V1StGXR8_Z5j', imageIndex: undefined });
  });

  it.each(['upscale:abc', 'upscale:abc:7', 'nuke:abc:1', 'vary:../x:1', 'reroll:abc:1:2', '', 'history:zz', 'history-back:a b', 'pick-delete:abc', 'pick-vary:abc:1'])('rejects %j', (id) => {
    expect(parseButtonId(id)).toBeUndefined();
  });

  it('one union for every button: history paging and image pickers round-trip too, in their old wire forms', () => {
    const targets: Array<[ButtonTarget, string]> = [
      [{ action: 'history-next', cursor: { queuedAt: new Date(Date.UTC(2026, 0, 2)), id: 'g123' }, userExternalId: '42' }, 'history:mjw3xmo0.g123:42'],
      [{ action: 'history-next', cursor: { queuedAt: new Date(Date.UTC(2026, 0, 2)), id: 'g123' }, userExternalId: undefined }, 'history:mjw3xmo0.g123'],
      [{ action: 'history-back', userExternalId: 'U0ALICE001' }, 'history-back:U0ALICE001'],
      [{ action: 'pick', pick: 'upscale', generationId: 'g1' }, 'pick-upscale:g1'],
      [{ action: 'cancel', generationId: 'g1', imageIndex: undefined }, 'cancel:g1'],
    ];
    for (const [target, id] of targets) {
      expect(formatButtonId(target)).toBe(id);
      expect(parseButtonId(id)).toEqual(target);
    }
    expect(parseJobButtonId('history-back')).toBeUndefined();
    expect(parseJobButtonId('delete:g1')).toEqual({ action: 'delete', generationId: 'g1', imageIndex: undefined });
  });

  it('maps V buttons to subtle variations and the strong variant to strong ones', () => {
    expect(commandForButton({ action: 'vary', generationId: 'g', imageIndex: 1 })).toEqual({ name: 'vary', generationId: 'g', imageIndex: 1, strength: 'subtle' });
    expect(commandForButton({ action: 'vary-strong', generationId: 'g', imageIndex: 0 })).toMatchObject({ strength: 'strong' });
  });
});

describe('CommandHandlers', () => {
  it('/imagine answers at once, publicly, with the queue position and a cancel button', async () => {
    const { commands } = createHarness({ engine: { stepMs: 30 } });
    const first = await commands.handle({ name: 'imagine', options: promptOnly('a lighthouse --count 1') }, from('alice'));
    const second = await commands.handle({ name: 'imagine', options: { ...promptOnly('a harbour --steps 3'), count: 2 } }, from('bob'));
    expect(first.visibility).toBe('public');
    // The queue was never started: nothing runs, so both wait.
    // The first line already says whose job it is (a mention token each adapter renders).
    expect(plainMentions(first.text)).toMatch(/^\*\*a lighthouse\*\* for alice: queued, position 1, done in about \d+ s$/);
    expect(second.text).toContain('position 2');
    expect(second.buttons[0]?.[0]?.id).toMatch(/^cancel:/);
  });

  it('answers a bad option privately in the words of the refusal table', async () => {
    const { commands } = createHarness();
    const reply = await commands.handle({ name: 'imagine', options: promptOnly('a dog --steps lots') }, from('alice'));
    expect(reply).toMatchObject({ visibility: 'private', text: 'Invalid --steps "lots": must be a whole number from 1 to 50.' });
    expect(reply.refusal?.code).toBe('invalid_option');
  });

  it('builds the finished message with U1–U4, V1–V4, reroll and delete buttons', async () => {
    const harness = createHarness();
    await harness.service.start();
    const outcome = await harness.service.imagine({ ...from('alice'), options: { prompt: 'a cat', values: { count: { label: 'count', text: '4' } } } });
    if (!outcome.ok) throw new Error(outcome.message);
    const finished = await harness.recorder.waitFor('finished', outcome.generation.id);
    const event = finished.event as unknown as Parameters<typeof finishedReply>[2] & { generation: Parameters<typeof finishedReply>[0]; owner: Parameters<typeof finishedReply>[1] };
    const reply = finishedReply(event.generation, event.owner, event, []);
    const id = outcome.generation.id;
    expect(reply.buttons.map((row) => row.map((button) => button.label))).toEqual([
      ['U1', 'U2', 'U3', 'U4'],
      ['V1', 'V2', 'V3', 'V4'],
      ['🔄', '❌'],
    ]);
    expect(reply.buttons[0]?.[2]?.id).toBe(`upscale:${id}:2`);
    expect(reply.attachments).toHaveLength(1);
    // Pressing a button later goes through the database only.
    const pressed = parseJobButtonId(reply.buttons[1]?.[3]?.id ?? '');
    const varied = await harness.commands.handle(commandForButton(pressed ?? { action: 'cancel', generationId: '', imageIndex: undefined }), from('alice'));
    expect(varied.text).toContain('(variation)');
  });

  it('/settings saves validated defaults that the next /imagine uses', async () => {
    const { commands, service } = createHarness();
    const bad = await commands.handle({ name: 'settings', changes: { steps: { label: 'steps', text: '500' } } }, from('alice'));
    expect(bad.text).toBe('Invalid steps "500": must be a whole number from 1 to 50.');
    const saved = await commands.handle({ name: 'settings', changes: { steps: { label: 'steps', text: '9' }, aspect: { label: 'aspect', text: '2:3' } } }, from('alice'));
    expect(saved.text).toContain('steps: `9`');
    const outcome = await service.imagine({ ...from('alice'), options: { prompt: 'a dog', values: {} } });
    expect(outcome.ok && [outcome.parameters.steps, outcome.parameters.width, outcome.parameters.height]).toEqual([9, 384, 576]);
    const cleared = await commands.handle({ name: 'settings', changes: { steps: { label: 'steps', text: 'default' } } }, from('alice'));
    expect(cleared.text).toContain('steps: server default');
  });

  it('pages history with a More button that carries the cursor', async () => {
    const harness = createHarness();
    for (let n = 0; n < 12; n++) {
      await harness.service.imagine({ ...from('alice'), options: { prompt: `job ${n}`, values: {} } });
      harness.clock.now += 1000;
    }
    const me = { platform: 'discord' as const, externalId: 'alice', displayName: 'alice' };
    const first = await harness.commands.handle({ name: 'history', user: me, channelId: undefined, statuses: undefined, cursor: undefined }, from('alice'));
    expect(first.text.split('\n')).toHaveLength(10);
    expect(first.text.split('\n')[0]).toContain('job 11');
    // The next page is data on the reply; the More button carries the same in its id.
    expect(first.nextPage?.userExternalId).toBe('alice');
    expect(parseButtonId(first.buttons[0]?.[0]?.id ?? '')).toEqual({ action: 'history-next', ...first.nextPage });
    const second = await harness.commands.handle({ name: 'history', user: me, channelId: undefined, statuses: undefined, cursor: first.nextPage?.cursor }, from('alice'));
    expect(second.text.split('\n').map((line) => line.slice(-5))).toEqual(['job 1', 'job 0']);
    expect(second.buttons).toEqual([]);
    expect(second.nextPage).toBeUndefined();
  });
});
