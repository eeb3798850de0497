import { describe, expect, it } from 'vitest';
import { messagePayload } from '../../../src/bots/discord/reply-payload.ts';
import { textReply, type Reply } from '../../../src/commands/index.ts';
import type { Generation } from '../../../src/db/domain.types.ts';
import type { DeliveredImage } from '../../../src/generation/jobs/job.types.ts';

const generation = {
  id: 'gen123',
  kind: 'imagine',
  prompt: 'a lighthouse at dusk',
  negativePrompt: '',
  seed: 10,
  steps: 20,
  guidance: 7,
  scheduler: 'euler',
  model: 'photon',
  width: 512,
  height: 768,
  count: 2,
  queuedAt: new Date(Date.UTC(2026, 0, 1, 12)),
  startedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 5)),
  finishedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 17, 400)),
  gpuMs: 12_000,
} as unknown as Generation;

function image(index: number, blurred: boolean): DeliveredImage {
  return { index, seed: 10 + index, width: 512, height: 768, png: Buffer.from(`png${index}`), nsfw: blurred, blurred };
}

function resultReply(blurred: boolean): Reply {
  const delivery = { images: [image(0, blurred), image(1, false)], grid: Buffer.from('grid'), withheld: undefined };
  return {
    ...textReply('**a lighthouse at dusk** for Ada', 'public'),
    attachments: [{ name: 'gen123.png', bytes: Buffer.from('grid'), spoiler: blurred, description: 'a lighthouse at dusk' }],
    result: { generation, delivery },
  };
}

describe('messagePayload', () => {
  it('attaches the grid, then each original, and shows the grid in an embed with every setting', () => {
    const payload = messagePayload(resultReply(false), undefined);
    expect(payload.files.map((file) => file.name)).toEqual(['gen123.png', 'gen123-1.png', 'gen123-2.png']);
    const embed = payload.embeds[0];
    expect(embed?.image?.url).toBe('attachment://gen123.png');
    expect(embed?.description).toBe('a lighthouse at dusk');
    const fields = Object.fromEntries((embed?.fields ?? []).map((field) => [field.name, field.value]));
    expect(fields).toMatchObject({ Seed: '10–11', Size: '512×768', Steps: '20', Scheduler: 'euler', Model: 'photon', Time: '12 s', ID: '`gen123`' });
  });

  it('hides flagged images behind spoilers and keeps a spoilered grid out of the embed', () => {
    const payload = messagePayload(resultReply(true), undefined);
    expect(payload.files.map((file) => file.name)).toEqual(['SPOILER_gen123.png', 'SPOILER_gen123-1.png', 'gen123-2.png']);
    expect(payload.embeds[0]?.image).toBeUndefined();
  });

  it('pings nobody unless a person is named, and then only that person', () => {
    const quiet = messagePayload(textReply('@everyone look', 'public'), undefined);
    expect(quiet.allowedMentions).toEqual({ parse: [], users: [], repliedUser: false });
    const named = messagePayload(textReply('your result', 'public'), '42');
    expect(named.content).toBe('<@42> your result');
    expect(named.allowedMentions.users).toEqual(['42']);
  });

  it('keeps content within Discord’s 2000 characters and clears old files and embeds on edits', () => {
    const payload = messagePayload(textReply('x'.repeat(2500), 'public'), undefined);
    expect(payload.content).toHaveLength(2000);
    expect(payload.content.endsWith('…')).toBe(true);
    expect([payload.attachments, payload.embeds, payload.files]).toEqual([[], [], []]);
  });

  it('turns button rows into action rows with the ids unchanged', () => {
    const reply: Reply = { ...textReply('x', 'public'), buttons: [[{ id: 'upscale:g:0', label: 'U1', style: 'secondary' }], [{ id: 'delete:g', label: '❌', style: 'danger' }]] };
    const rows = messagePayload(reply, undefined).components;
    expect(rows.map((row) => row.components.map((button) => ('custom_id' in button ? button.custom_id : '')))).toEqual([['upscale:g:0'], ['delete:g']]);
    expect((rows[1]?.components[0] as { style?: number } | undefined)?.style).toBe(4);
  });
});
