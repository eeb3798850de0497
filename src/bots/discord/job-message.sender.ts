/**
 * Shows a job's state in Discord. While the interaction token is valid, the deferred response is
 * edited through the interaction webhook (no bot token needed). A token lasts 15 minutes; after
 * that (known from its age, or from Discord's 50027 "Invalid Webhook Token") the job continues in
 * a normal channel message sent with the bot token, replying to the original response and
 * mentioning the person, and later states edit that message. Every move is written to the job's
 * row, so edits find the message again after a restart.
 */
import { DiscordAPIError, InteractionWebhook, RESTJSONErrorCodes, type Client, type SendableChannels } from 'discord.js';
import type { Logger } from 'pino';
import type { Reply } from '../../commands/index.ts';
import type { ChatLocation } from '../../generation/service/service.types.ts';
import type { JobMessage, JobMessageSender } from './job-message.ts';
import type { RateLimitFeedback } from './rate-limit-feedback.ts';
import { messagePayload } from './reply-payload.ts';

/** Interaction tokens work for 15 minutes; stop using one a little earlier than that. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
const TOKEN_MARGIN_MS = 30_000;

/** The interaction token is no longer accepted: continue with the bot token. */
export function isExpiredToken(error: unknown): boolean {
  return (
    error instanceof DiscordAPIError &&
    (error.code === RESTJSONErrorCodes.InvalidWebhookToken || error.code === RESTJSONErrorCodes.UnknownWebhook || error.code === RESTJSONErrorCodes.UnknownInteraction)
  );
}

function isUnknownMessage(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage;
}

export interface SenderOptions {
  client: Client;
  /**
   * Resolves once the client is logged in. The service starts first and re-announces jobs a
   * previous run left; their messages wait for this rather than fail.
   */
  ready: Promise<void>;
  /** Records where a job's message now lives (GenerationService.attachMessage). */
  attachMessage: (generationId: string, chat: ChatLocation) => Promise<boolean>;
  now: () => number;
  logger: Logger;
  /** Learns which channel a token's edits count against. */
  rateLimits: Pick<RateLimitFeedback, 'remember'>;
}

export class DiscordJobSender implements JobMessageSender {
  constructor(private readonly options: SenderOptions) {}

  async show(job: JobMessage, reply: Reply): Promise<void> {
    await this.options.ready;
    const target = job.target;
    if (target.kind === 'unbound') throw new Error(`job ${job.generationId} has no message yet`);
    if (target.kind === 'interaction') {
      if (this.options.now() - target.issuedAt < TOKEN_LIFETIME_MS - TOKEN_MARGIN_MS) {
        this.options.rateLimits.remember(target.token, job.channelId);
        try {
          const webhook = new InteractionWebhook(this.options.client as Client<true>, this.#applicationId(), target.token);
          const message = await webhook.editMessage('@original', messagePayload(reply, undefined));
          if (target.messageId === undefined) {
            target.messageId = message.id;
            await this.options.attachMessage(job.generationId, { messageId: message.id, interactionToken: target.token, threadTs: undefined });
          }
          return;
        } catch (error) {
          if (!isExpiredToken(error)) throw error;
        }
      }
      this.options.logger.info({ jobId: job.generationId }, 'discord.token_expired_fallback');
      job.target = { kind: 'channel', messageId: undefined, replyTo: target.messageId, mention: true };
    }
    await this.#showInChannel(job, reply);
  }

  async #showInChannel(job: JobMessage, reply: Reply): Promise<void> {
    const target = job.target;
    if (target.kind !== 'channel') throw new Error('not a channel target');
    const channel = await this.#channel(job.channelId);
    // Edits keep the mention in the text (Discord notifies only when a message is created).
    const payload = messagePayload(reply, target.mention ? job.ownerId : undefined);
    if (target.messageId !== undefined) {
      try {
        await channel.messages.edit(target.messageId, payload);
      } catch (error) {
        // Deleted by someone: nothing left to update.
        if (isUnknownMessage(error)) job.markGone();
        else throw error;
      }
      return;
    }
    const sent = await channel.send({
      ...payload,
      ...(target.replyTo === undefined ? {} : { reply: { messageReference: target.replyTo, failIfNotExists: false } }),
    });
    target.messageId = sent.id;
    await this.options.attachMessage(job.generationId, { messageId: sent.id, interactionToken: undefined, threadTs: undefined });
  }

  async #channel(channelId: string): Promise<SendableChannels> {
    const channel = await this.options.client.channels.fetch(channelId);
    if (channel === null || !channel.isSendable()) throw new Error(`channel ${channelId} is not a channel Darkroom can post in`);
    return channel;
  }

  #applicationId(): string {
    const id = this.options.client.application?.id;
    if (id === undefined) throw new Error('Discord client is not ready (no application id)');
    return id;
  }
}
