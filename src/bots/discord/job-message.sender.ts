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
import type { ChatLocation } from '../../generation/requests/request.types.ts';
import { newReferenceId, refuse } from '../../generation/requests/refusal.ts';
import type { RateLimitFeedback } from './rate-limit-feedback.ts';
import { messagePayload, truncate, type MessagePayload } from './reply-payload.ts';
import { UPLOAD_OVERHEAD_BYTES, fitResult, type CompactPicture, type FittedResult } from './result-upload.ts';
import { isTooLarge, type UploadLimits } from './upload-limits.ts';

/** Tries at a result that Discord refuses as too large before it goes without files. */
const FIT_ATTEMPTS = 4;

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
  /** Each guild's upload limit (boost tier, refusals seen). */
  uploads: UploadLimits;
  /** Makes a result's picture small enough for the upload limit (src/images, injected). */
  compactPicture: CompactPicture;
}

/** A Discord job as the sender needs it. */
export interface DiscordJob {
  generationId: string;
  channelId: string;
  /** Discord id of the person the job is for (mentioned when the result comes late). */
  ownerId: string;
}

/** Where a job's message is, and how to reach it. */
export type DiscordJobTarget =
  /** The `@original` response of an interaction, edited with its token while it is valid. */
  | { kind: 'interaction'; token: string; issuedAt: number; messageId: string | undefined }
  /** A normal channel message sent with the bot token; posted on first show when `messageId` is undefined. */
  | { kind: 'channel'; messageId: string | undefined; replyTo: string | undefined; mention: boolean };

/** A job whose message nobody posted: a new channel message naming the person. */
const NEW_MESSAGE: DiscordJobTarget = { kind: 'channel', messageId: undefined, replyTo: undefined, mention: true };

/** Builds the payload for the target it goes to (`mention`: the person named in a channel message). */
type BuildPayload = (mention: string | undefined) => Promise<MessagePayload>;
/** A job's message in the job-message book: its target, which a show may move. */
export interface DiscordJobMessage {
  target: DiscordJobTarget;
}

export class DiscordJobSender {
  constructor(private readonly options: SenderOptions) {}

  /**
   * Shows `reply` in the job's message (undefined: none yet, so a new channel message naming the
   * person); returns it, or 'gone' when someone deleted it. The message's place is updated in
   * place as it moves (its id learnt, a token expired), so a failed send loses none of that.
   */
  async show(job: DiscordJob, reply: Reply, message: DiscordJobMessage | undefined): Promise<DiscordJobMessage | 'gone'> {
    await this.options.ready;
    const at = message ?? { target: { ...NEW_MESSAGE } };
    const shown = reply.result === undefined ? await this.#send(job, at, async (mention) => messagePayload(reply, mention)) : await this.#showResult(job, at, reply);
    return shown === 'gone' ? 'gone' : at;
  }

  /**
   * A finished job's message, fitted to the guild's upload limit (see result-upload.ts); a size
   * refusal from Discord lowers the budget and tries again. Any other failure still replaces the
   * progress with the result's text, buttons and an apology, so the message is never left stuck.
   */
  async #showResult(job: DiscordJob, at: DiscordJobMessage, reply: Reply): Promise<'shown' | 'gone'> {
    const { uploads, compactPicture, logger } = this.options;
    const guild = this.#guildOf(job.channelId);
    let budget = uploads.budgetFor(guild.id, guild.premiumTier, UPLOAD_OVERHEAD_BYTES);
    try {
      for (let attempt = 1; ; attempt++) {
        let fitted: FittedResult | undefined;
        const limit = uploads.limitFor(guild.id, guild.premiumTier);
        try {
          const shown = await this.#send(job, at, async (mention) => (fitted = await fitResult(messagePayload(reply, mention), budget, limit, compactPicture)).payload);
          if (shown === 'gone' || fitted === undefined) return shown;
          uploads.accepted(guild.id, fitted.bytes);
          if (fitted.fit !== 'full') logger.info({ jobId: job.generationId, fit: fitted.fit, bytes: fitted.bytes, limit }, 'discord.result_fitted');
          return shown;
        } catch (error) {
          if (!isTooLarge(error) || fitted === undefined || fitted.bytes === 0) throw error;
          logger.warn({ jobId: job.generationId, bytes: fitted.bytes, limit, attempt }, 'discord.result_too_large');
          uploads.refused(guild.id, fitted.bytes);
          budget = attempt >= FIT_ATTEMPTS ? 0 : Math.floor(fitted.bytes / 2);
        }
      }
    } catch (error) {
      const referenceId = newReferenceId();
      logger.error({ err: error, jobId: job.generationId, referenceId }, 'discord.result_post_failed');
      const apology = `⚠️ The images could not be posted. ${refuse('internal', { referenceId }).message}`;
      return this.#send(job, at, async (mention) => {
        const plain = messagePayload({ ...reply, attachments: [], result: undefined }, mention);
        return { ...plain, content: `${truncate(plain.content, 2000 - apology.length - 1)}\n${apology}` };
      });
    }
  }

  /**
   * Sends to the job's target: the interaction's response while its token works, else a channel
   * message. `at` follows the message as it moves (its id learnt, a token expired).
   */
  async #send(job: DiscordJob, at: DiscordJobMessage, build: BuildPayload): Promise<'shown' | 'gone'> {
    const target = at.target;
    if (target.kind === 'interaction') {
      if (this.options.now() - target.issuedAt < TOKEN_LIFETIME_MS - TOKEN_MARGIN_MS) {
        this.options.rateLimits.remember(target.token, job.channelId);
        try {
          const webhook = new InteractionWebhook(this.options.client as Client<true>, this.#applicationId(), target.token);
          const message = await webhook.editMessage('@original', await build(undefined));
          if (target.messageId === undefined) {
            target.messageId = message.id;
            await this.options.attachMessage(job.generationId, { messageId: message.id, interactionToken: target.token, threadTs: undefined });
          }
          return 'shown';
        } catch (error) {
          if (!isExpiredToken(error)) throw error;
        }
      }
      this.options.logger.info({ jobId: job.generationId }, 'discord.token_expired_fallback');
      const fallback = { kind: 'channel' as const, messageId: undefined, replyTo: target.messageId, mention: true };
      at.target = fallback;
      return this.#showInChannel(job, fallback, build);
    }
    return this.#showInChannel(job, target, build);
  }

  async #showInChannel(job: DiscordJob, target: Extract<DiscordJobTarget, { kind: 'channel' }>, build: BuildPayload): Promise<'shown' | 'gone'> {
    const channel = await this.#channel(job.channelId);
    // Edits keep the mention in the text (Discord notifies only when a message is created).
    const payload = await build(target.mention ? job.ownerId : undefined);
    if (target.messageId !== undefined) {
      try {
        await channel.messages.edit(target.messageId, payload);
      } catch (error) {
        // Deleted by someone: nothing left to update.
        if (isUnknownMessage(error)) return 'gone';
        throw error;
      }
      return 'shown';
    }
    const sent = await channel.send({
      ...payload,
      ...(target.replyTo === undefined ? {} : { reply: { messageReference: target.replyTo, failIfNotExists: false } }),
    });
    target.messageId = sent.id;
    await this.options.attachMessage(job.generationId, { messageId: sent.id, interactionToken: undefined, threadTs: undefined });
    return 'shown';
  }

  async #channel(channelId: string): Promise<SendableChannels> {
    const channel = await this.options.client.channels.fetch(channelId);
    if (channel === null || !channel.isSendable()) throw new Error(`channel ${channelId} is not a channel Darkroom can post in`);
    return channel;
  }

  /** The guild of a channel Discord told us about (undefined id: a DM, or not known). */
  #guildOf(channelId: string): { id: string | undefined; premiumTier: number | undefined } {
    const channel = this.options.client.channels.cache.get(channelId);
    if (channel === undefined || !('guild' in channel) || channel.guild === null) return { id: undefined, premiumTier: undefined };
    return { id: channel.guild.id, premiumTier: channel.guild.premiumTier };
  }

  #applicationId(): string {
    const id = this.options.client.application?.id;
    if (id === undefined) throw new Error('Discord client is not ready (no application id)');
    return id;
  }
}
