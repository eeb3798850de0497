/**
 * Reactions on a result message: 🔄 reroll, ⬆️ upscale, 🔀 vary, ❌ delete (owner or moderator,
 * the service decides). The generation is read from the message's button ids, so this works on
 * messages from before a restart (partials are fetched). On a grid, ⬆️ and 🔀 first ask which
 * image with a select menu. Reactions have no private channel back: a refusal removes the
 * reaction and answers in a short reply naming the person.
 */
import { ComponentType, type Client, type Message, type MessageReaction, type PartialMessageReaction, type PartialUser, type User } from 'discord.js';
import { acceptedJobId, formatButtonId, parseJobButtonId, type ChatCommand, type CommandHandlers } from '../../commands/index.ts';
import type { RequestFrom } from '../../generation/requests/request.types.ts';
import type { JobCopies } from './job-copies.ts';
import type { JobMessages } from './job-messages.ts';
import { truncate } from './reply-payload.ts';
import { channelNsfw, memberFacts, requestFrom, type ModeratorConfig } from './request-context.ts';
import type { WorkLimiter } from './work-limiter.ts';

export const REACTIONS = { reroll: '🔄', upscale: '⬆️', vary: '🔀', delete: '❌' } as const;

/** Emoji as they arrive (with or without the variation selector). */
function actionOf(emoji: string | null): keyof typeof REACTIONS | undefined {
  const bare = (emoji ?? '').replace(/\uFE0F/g, '');
  return (Object.keys(REACTIONS) as Array<keyof typeof REACTIONS>).find((action) => REACTIONS[action].replace(/\uFE0F/g, '') === bare);
}

/** The generation a result message shows and its image indexes, from its buttons. */
export function resultOf(message: { components: ReadonlyArray<{ toJSON(): unknown }> }): { generationId: string; indexes: number[] } | undefined {
  const targets = message.components
    .flatMap((row) => (row.toJSON() as { components?: Array<{ custom_id?: unknown }> }).components ?? [])
    .flatMap((component) => (typeof component.custom_id === 'string' ? [parseJobButtonId(component.custom_id)] : []))
    .filter((target) => target !== undefined);
  const reroll = targets.find((target) => target.action === 'reroll');
  if (reroll === undefined) return undefined;
  const indexes = targets.filter((target) => target.action === 'vary' && target.generationId === reroll.generationId).map((target) => target.imageIndex ?? 0);
  return { generationId: reroll.generationId, indexes };
}

export interface ReactionFlowOptions {
  client: Client;
  commands: CommandHandlers;
  jobs: JobMessages;
  /** ❌ reaches every message of a job. */
  copies: JobCopies;
  moderators: ModeratorConfig;
  allowDMs: boolean;
  limiter: WorkLimiter;
}

export class ReactionFlow {
  constructor(private readonly options: ReactionFlowOptions) {}

  handle(reaction: MessageReaction | PartialMessageReaction, reactor: User | PartialUser): Promise<void> {
    return this.options.limiter.run(() => this.#handle(reaction, reactor));
  }

  async #handle(reaction: MessageReaction | PartialMessageReaction, reactor: User | PartialUser): Promise<void> {
    const action = actionOf(reaction.emoji.name);
    const me = this.options.client.user?.id;
    if (action === undefined || reactor.id === me) return;
    const user = reactor.partial ? await reactor.fetch() : reactor;
    if (user.bot) return;
    // Always fetched: after a restart it is a partial, and discord.js's cached copy misses webhook edits.
    const message = await reaction.message.fetch(true);
    if (message.author.id !== me || (message.guildId === null && !this.options.allowDMs)) return;
    const result = resultOf(message);
    if (result === undefined) return;
    // Every bot process on the database sees the reaction; the first to claim it acts.
    if (!(await this.options.commands.claimEvent(`discord:reaction:${message.id}:${user.id}:${action}`))) return;
    if ((action === 'upscale' || action === 'vary') && result.indexes.length > 1) return this.#askWhich(message, action, result, user);
    const index = result.indexes[0] ?? 0;
    const command: ChatCommand =
      action === 'reroll'
        ? { name: 'reroll', generationId: result.generationId }
        : action === 'upscale'
          ? { name: 'upscale', generationId: result.generationId, imageIndex: index }
          : action === 'vary'
            ? { name: 'vary', generationId: result.generationId, imageIndex: index, strength: 'subtle' }
            : { name: 'delete', generationId: result.generationId, imageIndex: undefined, reason: undefined };
    const reply = await this.options.commands.handle(command, await this.#from(message, user));
    const jobId = acceptedJobId(reply);
    if (jobId !== undefined) {
      this.options.jobs.accepted(jobId, message.channelId, user.id, { kind: 'channel', messageId: undefined, replyTo: message.id, mention: true }, reply);
    } else if (reply.refusal !== undefined) {
      await reaction.users.remove(user.id);
      await this.#tell(message, user.id, reply.text);
    } else if (reply.jobChange !== undefined) {
      // ❌ on the job's message or on a /show copy: every message of the job shows it.
      await this.options.copies.changed(reply.jobChange, { channelId: message.channelId, messageId: message.id }, this.options.jobs);
    }
  }

  /** A select menu under the grid: which image to upscale or vary. */
  async #askWhich(message: Message, action: 'upscale' | 'vary', result: { generationId: string; indexes: number[] }, user: User): Promise<void> {
    if (!message.channel.isSendable()) return;
    await message.channel.send({
      content: `<@${user.id}> Which image should be ${action === 'upscale' ? 'upscaled' : 'varied'}?`,
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.StringSelect,
              custom_id: formatButtonId({ action: 'pick', pick: action, generationId: result.generationId }),
              placeholder: 'Pick an image',
              options: result.indexes.map((index) => ({ label: `Image ${index + 1}`, value: String(index) })),
            },
          ],
        },
      ],
      reply: { messageReference: message.id, failIfNotExists: false },
      allowedMentions: { parse: [], users: [user.id], repliedUser: false },
    });
  }

  async #tell(message: Message, userId: string, text: string): Promise<void> {
    if (!message.channel.isSendable()) return;
    await message.channel.send({
      content: truncate(`<@${userId}> ${text}`, 2000),
      reply: { messageReference: message.id, failIfNotExists: false },
      allowedMentions: { parse: [], users: [userId], repliedUser: false },
    });
  }

  async #from(message: Message, user: User): Promise<RequestFrom> {
    const guild = message.guild;
    const member = guild === null ? null : await guild.members.fetch(user.id).catch(() => null);
    return requestFrom(
      user,
      member === null ? undefined : memberFacts(member, member.permissionsIn(message.channelId).bitfield),
      { guild, guildId: message.guildId, channelId: message.channelId, nsfw: channelNsfw(message.channel), interactionToken: undefined },
      this.options.moderators,
    );
  }
}
