/**
 * Two Slack workspaces served by one app (an org-wide install), end to end (issue 9): a workspace
 * admin of team B — a moderator there — cannot reach team A's jobs. /darkroom show, the Delete and
 * Cancel buttons (even pressed with team A's job ids) and ❌ answer "not found"; a ban in team B
 * does not apply in team A; banning everywhere is for admins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../../../src/generation/engine.types.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, ephemeralsTo, eventually, finishedResult, JobCursor, nthEphemeral } from './support/slack-results.ts';

const TEAM_B = { id: 'T0OTHERTEAM', domain: 'other-team' };

/** The fake engine, holding jobs whose prompt says "held" until released (so one waits behind it). */
class HoldingEngine implements ImageEngine {
  readonly #inner = new FakeImageEngine({ stepMs: 5, nsfwWord: undefined, failWord: undefined, onStep: undefined });
  #release!: () => void;
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));

  release(): void {
    this.#release();
  }

  async generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    if (request.prompt.includes('held')) await this.#released;
    return this.#inner.generate(request, options);
  }

  upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#inner.upscale(png, request, options);
  }
}

const notFound = (id: string) => `That generation (${id}) does not exist any more; it may have been deleted.`;

describe('Slack: two workspaces', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;
  const engine = new HoldingEngine();

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http', engine });
    cursor = new JobCursor(harness);
  });
  afterAll(async () => {
    engine.release();
    await harness?.stop(true);
  });

  /** Sends a command from a team and returns the private answer it got. */
  async function ask(user: string, command: '/imagine' | '/darkroom', text: string, team: typeof TEAM_B | undefined): Promise<string> {
    const before = ephemeralsTo(harness.fake, user).length;
    expect((await harness.slash({ command, text, user, channel: CHANNELS.general, ...(team === undefined ? {} : { team }) })).status).toBe(200);
    return nthEphemeral(harness.fake, user, before + 1);
  }

  /** The private answer to something done as `user`, after `act`. */
  async function answerTo(user: string, act: () => Promise<unknown>): Promise<string> {
    const before = ephemeralsTo(harness.fake, user).length;
    await act();
    return nthEphemeral(harness.fake, user, before + 1);
  }

  it('team B’s admin gets "not found" for team A’s job: show, Delete, ❌ — and nothing is deleted', async () => {
    await harness.slash({ command: '/imagine', text: 'a lighthouse in team a --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await cursor.next();
    const result = await finishedResult(harness, job.id, 1);
    const admin = PEOPLE.admin.id;

    expect(await ask(admin, '/darkroom', `show ${job.id}`, TEAM_B)).toBe(notFound(job.id));
    expect(await ask(admin, '/darkroom', 'show nosuchjob123', TEAM_B)).toBe(notFound('nosuchjob123'));
    const deleteButton = buttonsOf(result.status).find((button) => button.label === '❌ Delete');
    expect(deleteButton).toBeDefined();
    const pressed = await answerTo(admin, () =>
      harness.press({ user: admin, channel: CHANNELS.general, messageTs: result.status.ts, actionId: deleteButton!.actionId, value: deleteButton!.value, team: TEAM_B }),
    );
    expect(pressed).toBe(notFound(job.id));
    const reacted = await answerTo(admin, () => harness.react({ user: admin, reaction: 'x', channel: CHANNELS.general, ts: result.status.ts, team: TEAM_B }));
    expect(reacted).toBe(notFound(job.id));
    expect(result.files[0]?.deleted).toBe(false);
    expect((await harness.repositories.generations.get(job.id))?.images.every((image) => image.deletedAt === undefined)).toBe(true);
    // From team A, the same admin moderates it.
    expect(await answerTo(admin, () => harness.react({ user: admin, reaction: 'x', channel: CHANNELS.general, ts: result.status.ts }))).toBe('Deleted 1 image.');
  });

  it('Cancel with team A’s job id, pressed from team B, is "not found"; the job still waits', async () => {
    await harness.slash({ command: '/imagine', text: 'a held tide --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const held = await cursor.next();
    await harness.slash({ command: '/imagine', text: 'a waiting moon --count 1 --steps 2', user: PEOPLE.bob.id, channel: CHANNELS.general });
    const waiting = await cursor.next();
    const row = await eventually(async () => {
      const found = await harness.repositories.generations.get(waiting.id);
      return found?.chat.messageId ? found : undefined;
    }, 'the waiting job’s status message');
    const cancel = `cancel:${waiting.id}`;
    const admin = PEOPLE.admin.id;
    const fromB = await answerTo(admin, () => harness.press({ user: admin, channel: CHANNELS.general, messageTs: row.chat.messageId!, actionId: cancel, value: cancel, team: TEAM_B }));
    expect(fromB).toBe(notFound(waiting.id));
    expect((await harness.repositories.generations.get(waiting.id))?.status).toBe('queued');
    const fromA = await answerTo(admin, () => harness.press({ user: admin, channel: CHANNELS.general, messageTs: row.chat.messageId!, actionId: cancel, value: cancel }));
    expect(fromA).toBe('Cancelled.');
    expect((await harness.repositories.generations.get(waiting.id))?.status).toBe('cancelled');
    engine.release();
    await finishedResult(harness, held.id, 1);
  });

  it('a ban in team B does not apply in team A; everywhere is for admins only', async () => {
    const admin = PEOPLE.admin.id;
    expect(await ask(admin, '/darkroom', `ban <@${PEOPLE.bob.id}|bob> spam in b`, TEAM_B)).toBe('Bob is banned here.');
    expect(await ask(PEOPLE.bob.id, '/imagine', 'a cat --count 1', TEAM_B)).toBe('You are banned from using Darkroom here: spam in b');
    await harness.slash({ command: '/imagine', text: 'a cat in team a --count 1 --steps 2', user: PEOPLE.bob.id, channel: CHANNELS.general });
    const job = await cursor.next();
    expect(job.prompt).toBe('a cat in team a');
    // A Slack workspace admin is a moderator of that workspace, not an operator.
    expect(await ask(admin, '/darkroom', `ban <@${PEOPLE.alice.id}|alice> --global spam`, TEAM_B)).toBe('Only an admin can ban people everywhere.');
  });
});
