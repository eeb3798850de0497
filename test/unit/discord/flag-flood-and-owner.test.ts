/**
 * The prompt with 11,000 repeated `--ar` flags that Slack used to refuse, through the Discord
 * renderer: the first answer and the finished message stay within Discord's message and embed
 * limits, and the owner shows as a mention that pings nobody.
 */
import { describe, expect, it } from 'vitest';
import { messagePayload } from '../../../src/bots/discord/reply-payload.ts';
import { acceptedReply, finishedReply, parseImagineRequest, promptOnly } from '../../../src/commands/index.ts';
import type { Generation } from '../../../src/db/domain.types.ts';
import type { Accepted } from '../../../src/generation/jobs/job.types.ts';
import type { JobOwner } from '../../../src/generation/requests/request.types.ts';

/** Discord's documented limits for a message with embeds. */
const LIMITS = { content: 2000, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, embedTotal: 6000 };

const OWNER: JobOwner = { userId: 'u1', platform: 'discord', externalId: '123456789012345678', displayName: 'Ada' };

function embedProblems(payload: ReturnType<typeof messagePayload>): string[] {
  const problems: string[] = [];
  if (payload.content.length > LIMITS.content) problems.push(`content ${payload.content.length}`);
  for (const embed of payload.embeds) {
    const fields = embed.fields ?? [];
    const total =
      (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
    if ((embed.title?.length ?? 0) > LIMITS.title) problems.push('title');
    if ((embed.description?.length ?? 0) > LIMITS.description) problems.push('description');
    if (fields.length > LIMITS.fields) problems.push('fields');
    if (fields.some((field) => field.name.length > LIMITS.fieldName || field.value.length > LIMITS.fieldValue)) problems.push('field');
    if ((embed.footer?.text.length ?? 0) > LIMITS.footer) problems.push('footer');
    if (total > LIMITS.embedTotal) problems.push(`embed total ${total}`);
  }
  return problems;
}

describe('Discord and a prompt of 11,000 repeated flags', () => {
  const typed = `a tiled floor ${Array.from({ length: 11_000 }, () => '--ar 1:1').join(' ')}`;
  const parsed = parseImagineRequest(promptOnly(typed));
  if (!parsed.ok) throw new Error(parsed.message);
  const generation = {
    id: 'gen123',
    kind: 'imagine',
    // What the service stores: the prompt without its flags (the longest a prompt may be, to be safe).
    prompt: `${parsed.options.prompt} ${'x'.repeat(1985)}`,
    negativePrompt: 'n'.repeat(2000),
    seed: 1,
    steps: 4,
    guidance: 5,
    scheduler: 'euler',
    model: 'm'.repeat(300),
    width: 512,
    height: 512,
    count: 1,
    queuedAt: new Date(Date.UTC(2026, 0, 1)),
    startedAt: undefined,
    finishedAt: undefined,
    gpuMs: 1000,
  } as unknown as Generation;

  it('the first answer: one warning, content within 2000 characters, the owner mentioned without a ping', () => {
    expect(parsed.warnings).toHaveLength(1);
    const reply = acceptedReply({ ok: true, generation, position: { position: 1, etaMs: 10_000 } as Accepted['position'], warnings: [...parsed.warnings, ...Array.from({ length: 500 }, () => 'more')] }, OWNER);
    const payload = messagePayload(reply, undefined);
    expect(embedProblems(payload)).toEqual([]);
    expect(payload.content).toContain(`for <@${OWNER.externalId}>: queued, position 1`);
    expect(payload.content).toContain('--ar was given 11000 times');
    expect(payload.allowedMentions).toEqual({ parse: [], users: [], repliedUser: false });
  });

  it('the finished message with its embed stays within every embed limit', () => {
    const image = { index: 0, seed: 1, width: 512, height: 512, png: Buffer.from('png'), nsfw: false, blurred: false };
    const reply = finishedReply(generation, OWNER, { images: [image], grid: undefined, withheld: undefined }, Array.from({ length: 300 }, () => 'w'.repeat(100)));
    const payload = messagePayload(reply, OWNER.externalId);
    expect(embedProblems(payload)).toEqual([]);
    // A late result pings its owner once, on purpose; the owner named in the text is not pinged again.
    expect(payload.allowedMentions.users).toEqual([OWNER.externalId]);
  });
});
