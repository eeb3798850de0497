/** Common things a person does in the fake Discord, for the Discord e2e tests. */
import { createRepositories } from '../../../../src/db/index.ts';
import { systemClock } from '../../../../src/db/domain.types.ts';
import type { GenerationWithImages } from '../../../../src/db/domain.types.ts';
import type { FakeInteraction, FakeUser, StoredMessage } from '../../../fakes/discord/index.ts';
import type { OptionValue } from '../../../fakes/discord/interaction-payloads.ts';
import type { DiscordHarness } from './discord-harness.ts';
import { embedFields, result } from './discord-expect.ts';

export interface Imagined {
  interaction: FakeInteraction;
  message: StoredMessage;
  generationId: string;
}

/** The generation id a result message shows (embed ID field). */
export function generationIdOf(message: StoredMessage): string {
  const id = /`([\w-]+)`/.exec(embedFields(message)['ID'] ?? '')?.[1];
  if (id === undefined) throw new Error(`message ${message.id} shows no generation id`);
  return id;
}

/** Runs /imagine and waits for its result. */
export async function imagine(harness: DiscordHarness, user: FakeUser, prompt: string, options: Record<string, OptionValue> = {}, channelId?: string): Promise<Imagined> {
  const interaction = harness.fake.slash('imagine', { prompt, ...options }, { user, ...(channelId === undefined ? {} : { channelId }) });
  const message = await result(harness.fake, interaction);
  return { interaction, message, generationId: generationIdOf(message) };
}

/** The stored row of a generation. */
export async function row(harness: DiscordHarness, generationId: string): Promise<GenerationWithImages> {
  const found = await createRepositories(harness.database, systemClock).generations.get(generationId);
  if (found === undefined) throw new Error(`no generation ${generationId}`);
  return found;
}

/**
 * The stored row once `ready` holds for it (the adapter saves a message's id right after
 * Discord answers the post, so a test that sees the message may read the row a moment early).
 */
export async function rowWhen(
  harness: DiscordHarness,
  generationId: string,
  what: string,
  ready: (row: GenerationWithImages) => boolean,
  timeoutMs = 45_000,
): Promise<GenerationWithImages> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await row(harness, generationId);
    if (ready(found)) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (generation ${generationId})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
