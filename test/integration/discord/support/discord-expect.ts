/** What a person sees in the fake Discord, for assertions. */
import { expect } from 'vitest';
import { components, type FakeDiscord, type FakeInteraction, type StoredMessage } from '../../../fakes/discord/index.ts';

const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;

/** The job message once it shows the result (it has an embed). */
export function result(fake: FakeDiscord, interaction: FakeInteraction): Promise<StoredMessage> {
  return fake.original(interaction, (message) => message.embeds.length > 0, 'the result');
}

/** The private (ephemeral) answer to an interaction: the edited deferral or a follow-up. */
export function privateAnswer(fake: FakeDiscord, interaction: FakeInteraction): Promise<StoredMessage> {
  return fake.waitFor(`a private answer to interaction ${interaction.id}`, () =>
    [...fake.world.messages.messages.values()].find(
      (message) => message.interactionId === interaction.id && !message.deleted && (message.flags & EPHEMERAL) !== 0 && (message.flags & LOADING) === 0 && message.content !== '',
    ),
  );
}

/** Visible (not ephemeral) live messages of an interaction. */
export function publicMessages(fake: FakeDiscord, interaction: FakeInteraction): StoredMessage[] {
  return [...fake.world.messages.messages.values()].filter((message) => message.interactionId === interaction.id && !message.deleted && (message.flags & EPHEMERAL) === 0);
}

export function buttonLabels(message: StoredMessage): string[] {
  return components(message).map((component) => component.label ?? component.customId);
}

export function embedFields(message: StoredMessage): Record<string, string> {
  const embed = message.embeds[0] as { fields?: Array<{ name: string; value: string }> } | undefined;
  return Object.fromEntries((embed?.fields ?? []).map((field) => [field.name, field.value]));
}

/** Every request the bot made was valid against the spec, with matched files, on known routes. */
export function expectCleanTraffic(fake: FakeDiscord): void {
  expect(fake.world.violations).toEqual([]);
  expect(fake.world.unhandled).toEqual([]);
}

/** The new message that replies to `to` in its channel. */
export function replyTo(fake: FakeDiscord, to: StoredMessage, test: (message: StoredMessage) => boolean = () => true): Promise<StoredMessage> {
  return fake.message(to.channelId, (message) => message.replyTo === to.id && test(message), `a reply to message ${to.id}`);
}
