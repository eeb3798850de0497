/**
 * What the adapter does with each thing Slack delivers, after Bolt has acknowledged it: slash
 * commands, button presses and reactions become {@link ChatCommand}s for the platform-free
 * handlers, and their replies become Slack messages: public ones in the channel (a job's status
 * message), private ones as ephemeral messages. A repeated delivery (Slack's retries) is
 * dropped by its id before anything happens. Every entry point runs inside the one catch-all.
 */
import type { Logger } from 'pino';
import {
  acceptedJobId,
  commandForButton,
  isJobButton,
  parseButtonId,
  promptOnly,
  refusalReply,
  textReply,
  type ChatCommand,
  type CommandHandlers,
  type Reply,
} from '../../commands/index.ts';
import type { FinishedResult } from '../../commands/reply.types.ts';
import type { RequestFrom } from '../../generation/requests/index.ts';
import type { ChatJobs } from '../chat-adapter.ts';
import { reportBug } from './bug-report.ts';
import { DARKROOM_HELP, parseDarkroomCommand } from './darkroom-command.parser.ts';
import type { RecentDeliveries } from './delivery-dedupe.ts';
import type { JobMessages } from './job-messages.ts';
import type { SlackClient } from './slack-client.types.ts';
import { REACTION_ACTIONS, resultOfMessage, type ReactedResult } from './reaction-target.ts';
import { fileIdsFromDeleteValue, renderReply } from './slack-blocks.ts';
import type { SlackOrigin, SlackPeople } from './slack-people.ts';
import type { StatusMessageRef } from './status-messages.ts';

/** Sends a private (ephemeral) reply to the person who asked. */
export type PrivateAnswer = (reply: Reply) => Promise<void>;

export interface SlackInteractionsOptions {
  client: SlackClient;
  handlers: CommandHandlers;
  /** Takes back a job whose status message could not be posted. */
  withdraw: ChatJobs['withdraw'];
  people: SlackPeople;
  jobs: JobMessages;
  deliveries: RecentDeliveries;
  /** The bot's own ids (from auth.test at start). */
  bot: () => { userId: string; botId: string };
  logger: Logger;
}

export interface SlashCommandInput {
  text: string;
  triggerId: string;
  origin: SlackOrigin;
}

export interface ButtonInput {
  actionId: string;
  value: string | undefined;
  triggerId: string;
  origin: SlackOrigin;
  /** The message the button is on. */
  message: StatusMessageRef | undefined;
}

export interface ReactionInput {
  eventId: string;
  reaction: string;
  /** Author of the reacted message. */
  itemUser: string | undefined;
  messageTs: string;
  origin: SlackOrigin;
}

const CHANNEL_CLOSED = (error: string) =>
  `I can't post in this channel (Slack says \`${error}\`). Invite me with \`/invite @Darkroom\`, or use me in a channel I'm in.`;

export class SlackInteractions {
  constructor(private readonly options: SlackInteractionsOptions) {}

  async imagine(input: SlashCommandInput, privately: PrivateAnswer, retryNum: number | undefined): Promise<void> {
    if (!this.#firstDelivery(`command:${input.triggerId}`, retryNum)) return;
    await this.#guarded({ what: '/imagine', userId: input.origin.userId }, privately, async () => {
      // Once across every process on the database (behind a load balancer a retry may reach another process).
      if (!(await this.options.handlers.claimEvent(`slack:command:${input.triggerId}`))) return;
      const from = await this.options.people.requestFrom(input.origin);
      const reply = await this.options.handlers.handle({ name: 'imagine', options: promptOnly(input.text) }, from);
      await this.#answer(reply, from, privately);
    });
  }

  async darkroom(input: SlashCommandInput, privately: PrivateAnswer, retryNum: number | undefined): Promise<void> {
    if (!this.#firstDelivery(`command:${input.triggerId}`, retryNum)) return;
    await this.#guarded({ what: '/darkroom', userId: input.origin.userId }, privately, async () => {
      if (!(await this.options.handlers.claimEvent(`slack:command:${input.triggerId}`))) return;
      const request = parseDarkroomCommand(input.text);
      if (request.kind === 'help') return privately(textReply(DARKROOM_HELP, 'private'));
      if (request.kind === 'refusal') return privately(refusalReply(request.refusal));
      const [from, command] = await Promise.all([this.options.people.requestFrom(input.origin), this.#withNames(request.command)]);
      await this.#answer(await this.options.handlers.handle(command, from), from, privately);
    });
  }

  async button(input: ButtonInput, privately: PrivateAnswer): Promise<void> {
    if (!this.#firstDelivery(`action:${input.triggerId}:${input.actionId}`, undefined)) return;
    await this.#guarded({ what: 'button', actionId: input.actionId, userId: input.origin.userId }, privately, async () => {
      // Once across every process on the database (a retry may reach another process).
      if (!(await this.options.handlers.claimEvent(`slack:action:${input.triggerId}:${input.actionId}`))) return;
      // Slack shows job buttons and history's "More"; other targets (Discord's paging and pickers) are not ours here.
      const target = parseButtonId(input.actionId);
      if (target?.action === 'pick-region') {
        // Vary (Region)'s multi-select: its value is the picked cells ("1,5,9").
        const cells = [...new Set((input.value ?? '').split(',').map(Number))].sort((a, b) => a - b);
        if (cells.length === 0 || cells.some((cell) => !Number.isInteger(cell) || cell < 1 || cell > 9)) return;
        const from = await this.options.people.requestFrom(input.origin);
        const edit = { kind: 'region' as const, cells };
        await this.#answer(await this.options.handlers.handle({ name: 'edit', generationId: target.generationId, imageIndex: target.imageIndex, edit }, from), from, privately);
        return;
      }
      if (!isJobButton(target) && target?.action !== 'history-next') {
        this.options.logger.warn({ actionId: input.actionId }, 'slack.unknown_button');
        return;
      }
      const from = await this.options.people.requestFrom(input.origin);
      const command: ChatCommand = isJobButton(target)
        ? commandForButton(target)
        : {
            name: 'history',
            user: target.userExternalId === undefined ? undefined : await this.options.people.identity(target.userExternalId, undefined),
            channelId: undefined,
            statuses: undefined,
            cursor: target.cursor,
          };
      const reply = await this.options.handlers.handle(command, from);
      await this.#answer(reply, from, privately);
      // Cancel or ❌ on any message of a job (the original or a /show copy) updates all of them.
      if (reply.jobChange !== undefined) await this.options.jobs.changed(reply.jobChange, input.message, fileIdsFromDeleteValue(input.value));
    });
  }

  async reaction(input: ReactionInput, retryNum: number | undefined): Promise<void> {
    const action = REACTION_ACTIONS[input.reaction];
    const bot = this.options.bot();
    // Only reactions on the bot's own messages can mean something; skip the rest before any call.
    if (action === undefined || input.itemUser !== bot.userId) return;
    if (!this.#firstDelivery(`event:${input.eventId}`, retryNum)) return;
    const { channelId, userId } = input.origin;
    const privately: PrivateAnswer = async (reply) => {
      await this.options.client.chat.postEphemeral({ channel: channelId, user: userId, ...renderReply(reply) });
    };
    await this.#guarded({ what: 'reaction', reaction: input.reaction, userId }, privately, async () => {
      if (!(await this.options.handlers.claimEvent(`slack:event:${input.eventId}`))) return;
      const found = await this.options.client.reactions.get({ channel: channelId, timestamp: input.messageTs, full: true });
      const result = resultOfMessage(found.message, bot);
      if (result === undefined) return;
      const command = this.#reactionCommand(action, result);
      if (command === undefined) {
        return privately(textReply('This result has several images: react on one of them in the thread, or use the Upscale / Vary buttons.', 'private'));
      }
      const from = await this.options.people.requestFrom(input.origin);
      const reply = await this.options.handlers.handle(command, from);
      await this.#answer(reply, from, privately);
      // ❌ on one image: it leaves the status message's thread and every copy's.
      if (command.name === 'delete' && command.imageIndex !== undefined && reply.refusal === undefined) {
        await this.options.jobs.imageDeleted(result.generationId, command.imageIndex, result.fileIds);
      }
      if (reply.jobChange !== undefined) await this.options.jobs.changed(reply.jobChange, { channel: channelId, ts: input.messageTs, threadTs: undefined }, result.fileIds);
    });
  }

  #reactionCommand(action: NonNullable<(typeof REACTION_ACTIONS)[string]>, result: ReactedResult): ChatCommand | undefined {
    const { generationId } = result;
    if (action === 'reroll') return { name: 'reroll', generationId };
    if (action === 'delete') return { name: 'delete', generationId, imageIndex: result.imageIndex, reason: undefined };
    const imageIndex = result.imageIndex ?? (result.imageIndexes.length === 1 ? result.imageIndexes[0] : undefined);
    if (imageIndex === undefined) return undefined;
    return action === 'upscale' ? { name: 'upscale', generationId, imageIndex } : { name: 'vary', generationId, imageIndex, strength: 'subtle' };
  }

  /** Private replies privately; a queued job's status message or a re-shown result in the channel. */
  async #answer(reply: Reply, from: RequestFrom, privately: PrivateAnswer): Promise<void> {
    if (reply.visibility === 'private') return privately(reply);
    const channelId = from.place.channelId;
    if (reply.result !== undefined) {
      const shown = await this.options.jobs.postShown(channelId, reply as Reply & { result: FinishedResult });
      if (!shown.ok) await privately(textReply(CHANNEL_CLOSED(shown.error), 'private'));
      return;
    }
    const jobId = acceptedJobId(reply);
    if (jobId === undefined) throw new Error('a public reply that is neither a queued job nor a result');
    let posted: Awaited<ReturnType<JobMessages['postAccepted']>>;
    try {
      posted = await this.options.jobs.postAccepted(jobId, channelId, reply);
    } catch (error) {
      // A job nobody can see or cancel must not run: take it back, then report the bug.
      await this.options.withdraw(jobId, from).catch(() => undefined);
      throw error;
    }
    if (posted.ok) return;
    // Nobody would ever see this job: take it back and say why.
    await this.options.withdraw(jobId, from);
    await privately(textReply(CHANNEL_CLOSED(posted.error), 'private'));
  }

  /** Mentions carry Slack's user name at best; the service stores people by their display name. */
  async #withNames(command: ChatCommand): Promise<ChatCommand> {
    const { people } = this.options;
    if (command.name === 'ban' || command.name === 'unban') return { ...command, target: await people.identity(command.target.externalId, command.target.displayName) };
    if ((command.name === 'history' || command.name === 'usage') && command.user !== undefined) {
      return { ...command, user: await people.identity(command.user.externalId, command.user.displayName) };
    }
    return command;
  }

  #firstDelivery(id: string, retryNum: number | undefined): boolean {
    const first = this.options.deliveries.firstTime(id);
    if (!first || (retryNum ?? 0) > 0) this.options.logger.info({ deliveryId: id, retryNum, duplicate: !first }, 'slack.redelivery');
    return first;
  }

  /** The catch-all: a bug becomes an apology with a reference id, and a logged stack. */
  async #guarded(context: Record<string, unknown>, privately: PrivateAnswer, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const refusal = reportBug(this.options.logger, error, context);
      await privately(refusalReply(refusal)).catch((answerError: unknown) =>
        this.options.logger.warn({ err: answerError, referenceId: refusal.details.referenceId }, 'slack.apology_failed'),
      );
    }
  }
}
