/**
 * What a person reads in the first answer and in /history: whose job it is (a mention token the
 * adapters render), and a bounded number of warnings however many flags a prompt repeats.
 */
import { describe, expect, it } from 'vitest';
import { acceptedReply, MAX_WARNINGS_SHOWN } from '../../../src/commands/generation-replies.ts';
import { parseImagineRequest, promptOnly } from '../../../src/commands/imagine-request.parser.ts';
import { mention, plainMentions, renderMentions, type MentionedPerson } from '../../../src/commands/mentions.ts';
import type { Accepted } from '../../../src/generation/jobs/job.types.ts';
import { createHarness, from } from '../../support/service/service-harness.ts';

const ALICE: MentionedPerson = { platform: 'slack', externalId: 'U0ALICE001', displayName: 'Alice' };

function accepted(prompt: string, warnings: string[]): Accepted {
  const generation = { id: 'g1', prompt, kind: 'imagine' } as unknown as Accepted['generation'];
  return { ok: true, generation, position: { position: 2, etaMs: 30_000 } as Accepted['position'], warnings };
}

describe('warnings for repeated flags', () => {
  it('11,000 --ar flags give one warning that counts them, and the last value wins', () => {
    const prompt = `a lighthouse ${Array.from({ length: 11_000 }, (_, n) => `--ar ${n % 2 === 0 ? '16:9' : '2:3'}`).join(' ')}`;
    const parsed = parseImagineRequest(promptOnly(prompt));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.options.prompt).toBe('a lighthouse');
    expect(parsed.options.values.aspect?.text).toBe('2:3');
    expect(parsed.warnings).toEqual(['--ar was given 11000 times; using the last one (2:3).']);
  });

  it('one warning per kind of flag repeated, "twice" for two', () => {
    const parsed = parseImagineRequest(promptOnly('a dog --seed 1 --seed 2 --steps 3 --steps 4 --steps 5'));
    expect(parsed.ok && parsed.warnings).toEqual(['--seed was given twice; using the last one (2).', '--steps was given 3 times; using the last one (5).']);
  });

  it(`the first answer shows at most ${MAX_WARNINGS_SHOWN} warnings and counts the rest`, () => {
    const warnings = Array.from({ length: 40 }, (_, n) => `warning ${n}`);
    const lines = plainMentions(acceptedReply(accepted('a cat', warnings), ALICE).text).split('\n');
    expect(lines).toHaveLength(1 + MAX_WARNINGS_SHOWN + 1);
    expect(lines.at(-1)).toBe('⚠️ …and 35 more warnings.');
  });
});

describe('the owner in the first status line', () => {
  it('names the person who asked, as a mention token rendered per platform', () => {
    const reply = acceptedReply(accepted('a cat', []), ALICE);
    expect(plainMentions(reply.text)).toBe('**a cat** for Alice: queued, position 2, done in about 30 s');
    expect(renderMentions(reply.text, (person) => `<@${person.externalId}>`)).toBe('**a cat** for <@U0ALICE001>: queued, position 2, done in about 30 s');
  });

  it('a prompt cannot forge a mention: the token marks are removed from what people type', () => {
    const forged = `a cat ${mention({ platform: 'slack', externalId: 'U0EVE00001', displayName: 'Eve' })}`;
    const rendered = renderMentions(acceptedReply(accepted(forged, []), ALICE).text, (person) => `<@${person.externalId}>`);
    expect(rendered).not.toContain('U0EVE00001>');
    expect(rendered.match(/<@/g)).toHaveLength(1);
  });
});

describe('/history says who made what for moderators', () => {
  it("everyone's history names each job's owner; a person's own history does not", async () => {
    const harness = createHarness({ queue: { perUserQueued: 10 } });
    await harness.service.imagine({ ...from('alice'), options: { prompt: 'alice harbour', values: {} } });
    harness.clock.now += 1000;
    await harness.service.imagine({ ...from('bob'), options: { prompt: 'bob lighthouse', values: {} } });
    const all = await harness.commands.handle({ name: 'history', user: undefined, channelId: undefined, statuses: undefined, cursor: undefined }, from('mod', { moderator: true }));
    const lines = plainMentions(all.text).split('\n');
    expect(lines[0]).toMatch(/UTC · by bob · queued · .* · bob lighthouse$/);
    expect(lines[1]).toMatch(/UTC · by alice · queued · .* · alice harbour$/);
    // The tokens are mentions of the owners' chat accounts.
    expect(renderMentions(all.text, (person) => `<@${person.platform}:${person.externalId}>`)).toContain('by <@discord:bob>');

    const alice = { platform: 'discord' as const, externalId: 'alice', displayName: 'alice' };
    const own = await harness.commands.handle({ name: 'history', user: alice, channelId: undefined, statuses: undefined, cursor: undefined }, from('alice'));
    expect(own.text).not.toContain(' · by ');
  });
});
