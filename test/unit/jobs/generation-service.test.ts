import { describe, expect, it } from 'vitest';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

async function accepted<T extends { ok: boolean }>(outcome: Promise<T>) {
  const result = await outcome;
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result as Extract<T, { ok: true }>;
}

describe('GenerationService.imagine', () => {
  it('records, queues, runs and delivers a job, with events in lifecycle order', async () => {
    const { service, recorder, repositories, store } = createHarness();
    await service.start();
    const outcome = await accepted(service.imagine({ ...from('alice'), options: options('a red barn --count 3 --seed 7') }));
    expect(outcome.generation.status).toBe('queued');
    const finished = await recorder.waitFor('finished', outcome.generation.id);
    expect(recorder.typesOf(outcome.generation.id)).toEqual(['queued', 'started', 'finished']);
    const images = finished.event['images'] as Array<{ index: number; seed: number; png: Buffer; blurred: boolean }>;
    expect(images.map((image) => [image.index, image.seed])).toEqual([[0, 7], [1, 8], [2, 9]]);
    expect(finished.event['grid']).toBeInstanceOf(Buffer);
    const row = await repositories.generations.get(outcome.generation.id);
    expect(row?.status).toBe('succeeded');
    expect(row?.images.map((image) => image.index)).toEqual([0, 1, 2]);
    expect(store.files.size).toBe(3);
    // The chat location the adapter gave travels with every event.
    expect((finished.event['generation'] as { chat: { interactionToken: string } }).chat.interactionToken).toBe('token-alice');
  });

  it('refuses a banned person before anything is recorded', async () => {
    const { service, repositories } = createHarness();
    const alice = await repositories.users.upsert({ platform: 'discord', externalId: 'alice', displayName: 'alice' });
    await repositories.users.ban(alice.id, 'spam');
    const outcome = await service.imagine({ ...from('alice'), options: options('a cat') });
    expect(outcome.ok ? undefined : outcome.code).toBe('banned');
    expect(outcome.ok ? '' : outcome.message).toContain('spam');
    expect(repositories.generations.rows).toHaveLength(0);
  });

  it('refuses blocked terms from config and from the database, in prompt and negative prompt', async () => {
    const { service, repositories } = createHarness({ policy: { blockedTerms: ['gore'] } });
    const guild = await repositories.workspaces.upsert({ platform: 'discord', externalId: 'guild-1', name: 'Guild' });
    await repositories.blockedTerms.add({ workspaceId: guild.id, term: 'Clown', createdById: undefined });
    const codeOf = async (prompt: string, guildId = 'guild-1') => {
      const outcome = await service.imagine({ ...from('alice', { guild: guildId }), options: options(prompt) });
      return outcome.ok ? 'accepted' : `${outcome.code}:${(outcome.details as { field?: string }).field}`;
    };
    expect(await codeOf('a GORE scene')).toBe('blocked_term:prompt');
    // Full-width letters fold to ASCII under NFKC.
    expect(await codeOf('a ｇｏｒｅ scene')).toBe('blocked_term:prompt');
    expect(await codeOf('(gore:1.3) scene')).toBe('blocked_term:prompt');
    expect(await codeOf('a gorerilla')).toBe('accepted');
    expect(await codeOf('portrait --no clowns, CLOWN')).toBe('blocked_term:negative prompt');
    // The workspace's own term does not apply in another workspace.
    expect(await codeOf('a clown', 'guild-2')).toBe('accepted');
  });

  it('applies per-user and global caps from the queue', async () => {
    const { service } = createHarness({ engine: { stepMs: 50 }, queue: { perUserQueued: 2, globalQueued: 3 } });
    await service.start();
    const codes: string[] = [];
    for (const person of ['alice', 'alice', 'alice', 'alice', 'bob', 'carol']) {
      const outcome = await service.imagine({ ...from(person), options: options('a lighthouse') });
      codes.push(outcome.ok ? 'ok' : `${outcome.code}:${(outcome.details as { scope: string }).scope}`);
    }
    // alice: 1 running + 2 waiting, the 4th refused; bob takes the 3rd waiting place; carol finds the queue full.
    expect(codes).toEqual(['ok', 'ok', 'ok', 'queue_full:user', 'ok', 'queue_full:everyone']);
  });

  it('applies hourly quotas on the injected clock', async () => {
    const { service, clock } = createHarness({ policy: { quotas: { default: { perHour: 2, perDay: null }, roles: {} } } });
    await service.start();
    const submit = async () => {
      const outcome = await service.imagine({ ...from('alice'), options: options('a dog') });
      return outcome.ok ? 'ok' : outcome.code;
    };
    expect(await submit()).toBe('ok');
    clock.now += 10 * 60_000;
    expect(await submit()).toBe('ok');
    const refused = await service.imagine({ ...from('alice'), options: options('a dog') });
    expect(refused.ok ? undefined : refused.message).toContain('Try again in 50 minutes');
    clock.now += 50 * 60_000 + 1;
    expect(await submit()).toBe('ok');
  });

  it('answers concurrent requests of one person one at a time, so the quota is exact', async () => {
    const { service } = createHarness({ policy: { quotas: { default: { perHour: 3, perDay: null }, roles: {} } } });
    await service.start();
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => service.imagine({ ...from('alice'), options: options('a dog') })));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(3);
  });
});

describe('GenerationService progress', () => {
  it('sends progress at most every 1.5 s of the injected clock', async () => {
    const harness = createHarness({ engine: { stepMs: 0, onStep: () => (harness.clock.now += 600) } });
    const { service, recorder } = harness;
    await service.start();
    const outcome = await accepted(service.imagine({ ...from('alice'), options: options('a dog --steps 10 --count 1') }));
    await recorder.waitFor('finished', outcome.generation.id);
    const started = recorder.of(outcome.generation.id).find((event) => event.type === 'started');
    const progress = recorder.of(outcome.generation.id).filter((event) => event.type === 'progress');
    // Steps land at +600 ms, +1200 ms … after the start; updates may go out at +1800, +3600, +5400.
    expect(progress.map((event) => event.event['step'])).toEqual([3, 6, 9]);
    const times = [started?.at ?? 0, ...progress.map((event) => event.at)];
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1500);
  });
});

describe('GenerationService.cancel', () => {
  it('removes a queued job: it never runs and its row says cancelled', async () => {
    const { service, recorder, engine, repositories } = createHarness({ engine: { stepMs: 20 } });
    await service.start();
    const first = await accepted(service.imagine({ ...from('alice'), options: options('first --count 1') }));
    const second = await accepted(service.imagine({ ...from('alice'), options: options('second --count 1') }));
    const result = await service.cancel(second.generation.id, from('alice').requester, from('alice').place);
    expect(result.ok && result.outcome).toBe('cancelled');
    await recorder.waitFor('finished', first.generation.id);
    expect(engine.calls.map((call) => call.request.prompt)).toEqual(['first']);
    expect((await repositories.generations.get(second.generation.id))?.status).toBe('cancelled');
    expect(recorder.typesOf(second.generation.id)).toEqual(['queued', 'cancelled']);
  });

  it('aborts a running job: no images, no finished event, row cancelled', async () => {
    const { service, recorder, store, repositories } = createHarness({ engine: { stepMs: 20 } });
    await service.start();
    const job = await accepted(service.imagine({ ...from('alice'), options: options('slow --steps 40') }));
    await recorder.waitFor('started', job.generation.id);
    const result = await service.cancel(job.generation.id, from('alice').requester, from('alice').place);
    expect(result.ok && result.outcome).toBe('cancelled');
    await service.stop(AbortSignal.timeout(5_000));
    expect(recorder.typesOf(job.generation.id)).toEqual(['queued', 'started', 'cancelled']);
    expect((await repositories.generations.get(job.generation.id))?.status).toBe('cancelled');
    expect(store.files.size).toBe(0);
  });

  it('lets only the owner or a moderator cancel, and logs a moderator’s cancel', async () => {
    const { service, repositories } = createHarness({ engine: { stepMs: 20 } });
    await service.start();
    const job = await accepted(service.imagine({ ...from('alice'), options: options('slow --steps 40') }));
    const byBob = await service.cancel(job.generation.id, from('bob').requester, from('bob').place);
    expect(byBob.ok ? undefined : byBob.code).toBe('forbidden');
    const byMod = await service.cancel(job.generation.id, from('mod', { moderator: true }).requester, from('mod').place);
    expect(byMod.ok).toBe(true);
    const audit = await repositories.moderation.list({ workspaceId: undefined, actorId: undefined, targetUserId: undefined, limit: 10, beforeId: undefined });
    expect(audit.map((entry) => [entry.action, entry.targetGenerationId])).toEqual([['cancel', job.generation.id]]);
    await service.stop(AbortSignal.timeout(5_000));
  });
});

describe('GenerationService failures and NSFW', () => {
  it('turns an engine bug into a failed row and an apology with a reference id', async () => {
    const { service, recorder, repositories } = createHarness();
    await service.start();
    const job = await accepted(service.imagine({ ...from('alice'), options: options('explode please') }));
    const failed = await recorder.waitFor('failed', job.generation.id);
    expect(failed.event['code']).toBe('internal');
    expect(failed.event['message']).toMatch(/reference: [0-9a-f]{10}/);
    const row = await repositories.generations.get(job.generation.id);
    expect(row?.status).toBe('failed');
    expect(row?.errorCode).toBe('internal');
  });

  it('blurs flagged images in a SFW channel, leaves them in an NSFW channel', async () => {
    const { service, recorder, store } = createHarness();
    await service.start();
    const sfw = await accepted(service.imagine({ ...from('alice'), options: options('nsfwword --count 1') }));
    const nsfw = await accepted(service.imagine({ ...from('bob', { nsfwAllowed: true }), options: options('nsfwword --count 1') }));
    const [sfwImage] = (await recorder.waitFor('finished', sfw.generation.id)).event['images'] as Array<{ png: Buffer; blurred: boolean; nsfw: boolean }>;
    const [nsfwImage] = (await recorder.waitFor('finished', nsfw.generation.id)).event['images'] as Array<{ png: Buffer; blurred: boolean }>;
    expect(sfwImage?.blurred).toBe(true);
    expect(sfwImage?.nsfw).toBe(true);
    expect(nsfwImage?.blurred).toBe(false);
    // The stored original is untouched.
    const stored = [...store.files.values()];
    expect(stored.some((png) => png.equals(sfwImage?.png ?? Buffer.alloc(0)))).toBe(false);
    expect(stored.some((png) => png.equals(nsfwImage?.png ?? Buffer.alloc(0)))).toBe(true);
  });

  it('withholds flagged images when configured, and says so', async () => {
    const { service, recorder } = createHarness({ policy: { nsfw: 'withhold' } });
    await service.start();
    const job = await accepted(service.imagine({ ...from('alice'), options: options('nsfwword --count 2') }));
    const finished = await recorder.waitFor('finished', job.generation.id);
    expect(finished.event['images']).toEqual([]);
    expect((finished.event['withheld'] as { code: string; message: string }).code).toBe('nsfw_withheld');
    expect((finished.event['withheld'] as { message: string }).message).toContain('2 images were withheld');
  });
});

describe('GenerationService recording results', () => {
  it('retries the success transaction when the database refuses it, and keeps the images', async () => {
    const harness = createHarness();
    const generations = harness.repositories.generations;
    const original = generations.markSucceeded.bind(generations);
    let calls = 0;
    generations.markSucceeded = async (id, success) => {
      calls++;
      // First attempt: refused before committing. Second: commits, then the answer is lost.
      if (calls === 1) throw new Error('Unable to start a transaction in the given time');
      if (calls === 2) {
        await original(id, success);
        throw new Error('Transaction already closed');
      }
      return original(id, success);
    };
    await harness.service.start();
    const job = await accepted(harness.service.imagine({ ...from('alice'), options: options('a pier --count 2') }));
    const finished = await harness.recorder.waitFor('finished', job.generation.id);
    expect(calls).toBe(3);
    expect((finished.event['images'] as unknown[]).length).toBe(2);
    expect((await generations.get(job.generation.id))?.status).toBe('succeeded');
    expect(harness.store.files.size).toBe(2);
  });
});

describe('GenerationService restart recovery', () => {
  it('re-queues queued and interrupted running rows in acceptance order and delivers them', async () => {
    const first = createHarness({ engine: { stepMs: 5 } });
    // Accepted by a "previous process" that never started its queue.
    const ids: string[] = [];
    for (const person of ['alice', 'bob', 'alice']) {
      const outcome = await accepted(first.service.imagine({ ...from(person), options: options(`job of ${person} --count 1`) }));
      ids.push(outcome.generation.id);
    }
    // The first one was running when that process died.
    await first.repositories.generations.markRunning(ids[0] as string);
    const second = createHarness({ repositories: first.repositories, engine: { stepMs: 5 } });
    expect(await second.service.start()).toBe(3);
    for (const id of ids) await second.recorder.waitFor('finished', id);
    expect(second.engine.calls.map((call) => call.request.prompt)).toEqual(['job of alice', 'job of bob', 'job of alice']);
    expect(second.recorder.events.filter((event) => event.type === 'queued').every((event) => event.event['recovered'] === true)).toBe(true);
    for (const id of ids) expect((await first.repositories.generations.get(id))?.status).toBe('succeeded');
  });
});
