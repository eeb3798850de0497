/**
 * Cancel and ❌ reach every Discord message of a job: its own message (edited by the lifecycle
 * events, see job-messages.ts) and each copy `/show` posted. Deleted: the job's message and all
 * copies are removed. Cancelled: the job's message says so through the cancelled event (it must
 * not be dropped), and each copy is edited to say so, without buttons. Copies are remembered in
 * the job-message book for the most recent jobs (the database keeps only a job's own message),
 * so a copy posted before a restart is only reached when its own button or reaction is used.
 */
import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import type { Logger } from 'pino';
import { textReply, type JobChange } from '../../commands/index.ts';
import type { JobMessages, MessageRef } from './job-messages.ts';
import { messagePayload } from './reply-payload.ts';

/** The job messages this needs: where a job's own message and its copies are, and "stop editing it". */
export type OwnMessages = Pick<JobMessages, 'messageOf' | 'copiesOf' | 'forget'>;

function isUnknownMessage(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.UnknownMessage || error.code === RESTJSONErrorCodes.UnknownChannel);
}

export class JobCopies {
  constructor(
    private readonly client: Client,
    private readonly logger: Logger,
  ) {}

  /** After a Cancel or ❌ that went through on `pressed` (any message of the job). */
  async changed(change: JobChange, pressed: MessageRef, own: OwnMessages): Promise<void> {
    const { generationId } = change;
    const original = own.messageOf(generationId);
    const copies = own.copiesOf(generationId);
    const pressedIsCopy = original === undefined ? copies.some((ref) => ref.messageId === pressed.messageId) : original.messageId !== pressed.messageId;
    const allCopies = pressedIsCopy && !copies.some((ref) => ref.messageId === pressed.messageId) ? [...copies, pressed] : copies;
    if (change.change === 'cancelled') {
      for (const copy of allCopies) await this.#edit(copy, '_This job was cancelled._');
      return;
    }
    own.forget(generationId);
    // The job's own message: known, or (after a restart) the pressed message when it is not a known copy.
    const ownMessage = original ?? (pressedIsCopy ? undefined : pressed);
    for (const ref of [...(ownMessage === undefined ? [] : [ownMessage]), ...allCopies]) await this.#delete(ref);
  }

  async #edit(ref: MessageRef, text: string): Promise<void> {
    try {
      const channel = await this.client.channels.fetch(ref.channelId);
      if (channel?.isSendable()) await channel.messages.edit(ref.messageId, messagePayload(textReply(text, 'public'), undefined));
    } catch (error) {
      if (!isUnknownMessage(error)) throw error;
      this.logger.info({ messageId: ref.messageId }, 'discord.copy_gone');
    }
  }

  async #delete(ref: MessageRef): Promise<void> {
    try {
      const channel = await this.client.channels.fetch(ref.channelId);
      if (channel?.isSendable()) await channel.messages.delete(ref.messageId);
    } catch (error) {
      if (!isUnknownMessage(error)) throw error;
    }
  }
}
