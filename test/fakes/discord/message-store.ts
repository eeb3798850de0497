/**
 * Messages as Discord keeps them: created by an interaction callback, a webhook follow-up or the
 * bot token; edited with Discord's attachment rules (an edit that lists `attachments` keeps only
 * those it lists plus its new files; one that does not list them keeps the old ones and adds
 * the new files); rendered back as API message objects for discord.js.
 */
import type { FakeClock } from './fake-clock.ts';
import type { FakeUser, StoredAttachment, StoredMessage } from './fake-discord.types.ts';
import type { FilePart } from './request-body.reader.ts';

export const EPHEMERAL = 1 << 6;
export const LOADING = 1 << 7;
const SUPPRESS_EMBEDS = 1 << 2;

/** The message fields of a create or edit body. */
export interface MessageBody {
  content?: string | null;
  embeds?: unknown[] | null;
  components?: unknown[] | null;
  attachments?: Array<{ id: string | number; filename?: string; description?: string }> | null;
  flags?: number | null;
  allowed_mentions?: unknown;
  message_reference?: { message_id?: string; channel_id?: string; fail_if_not_exists?: boolean } | null;
}

export class MessageStore {
  readonly messages = new Map<string, StoredMessage>();

  constructor(
    private readonly clock: FakeClock,
    private readonly baseUrl: () => string,
  ) {}

  create(input: {
    channelId: string;
    guildId: string | undefined;
    authorId: string;
    body: MessageBody;
    files: FilePart[];
    via: StoredMessage['via'];
    interactionId: string | undefined;
    extraFlags: number;
  }): { message: StoredMessage } | { problem: string } {
    const replyTo = input.body.message_reference?.message_id ?? undefined;
    if (replyTo !== undefined) {
      const target = this.messages.get(replyTo);
      if (target === undefined || target.channelId !== input.channelId || target.deleted) return { problem: `message_reference ${replyTo} is not a message in this channel` };
    }
    const attachments = this.#attachments(input.body, input.files, []);
    if ('problem' in attachments) return attachments;
    const now = this.clock.now();
    const message: StoredMessage = {
      id: this.clock.snowflake(),
      channelId: input.channelId,
      guildId: input.guildId,
      authorId: input.authorId,
      content: input.body.content ?? '',
      embeds: input.body.embeds ?? [],
      components: input.body.components ?? [],
      attachments: attachments.list,
      flags: ((input.body.flags ?? 0) & (EPHEMERAL | SUPPRESS_EMBEDS)) | input.extraFlags,
      replyTo,
      allowedMentions: input.body.allowed_mentions,
      interactionId: input.interactionId,
      via: input.via,
      createdAt: now,
      editedAt: undefined,
      deleted: false,
      revisions: [],
      reactions: [],
    };
    this.#snapshot(message);
    this.messages.set(message.id, message);
    return { message };
  }

  edit(message: StoredMessage, body: MessageBody, files: FilePart[]): { message: StoredMessage } | { problem: string } {
    const attachments = this.#attachments(body, files, message.attachments);
    if ('problem' in attachments) return attachments;
    if (body.content !== undefined) message.content = body.content ?? '';
    if (body.embeds !== undefined) message.embeds = body.embeds ?? [];
    if (body.components !== undefined) message.components = body.components ?? [];
    if (body.allowed_mentions !== undefined) message.allowedMentions = body.allowed_mentions;
    message.attachments = attachments.list;
    message.flags &= ~LOADING;
    message.editedAt = this.clock.now();
    this.#snapshot(message);
    return { message };
  }

  /** Live (not deleted) message by id. */
  get(id: string): StoredMessage | undefined {
    const message = this.messages.get(id);
    return message === undefined || message.deleted ? undefined : message;
  }

  #attachments(body: MessageBody, files: FilePart[], existing: StoredAttachment[]): { list: StoredAttachment[] } | { problem: string } {
    const listed = body.attachments;
    const fromFiles = (entry: { id: string | number; filename?: string; description?: string }): StoredAttachment | undefined => {
      const file = files.find((part) => part.index === String(entry.id));
      if (file === undefined) return undefined;
      return {
        id: this.clock.snowflake(),
        filename: entry.filename ?? file.filename,
        size: file.bytes.length,
        contentType: file.contentType || 'application/octet-stream',
        description: entry.description,
        bytes: file.bytes,
      };
    };
    if (listed === undefined || listed === null) {
      const added = files.map((file) => fromFiles({ id: file.index })).filter((item): item is StoredAttachment => item !== undefined);
      return { list: [...existing, ...added] };
    }
    const list: StoredAttachment[] = [];
    for (const entry of listed) {
      const kept = existing.find((attachment) => attachment.id === String(entry.id));
      if (kept !== undefined) {
        list.push(kept);
        continue;
      }
      const added = fromFiles(entry);
      if (added === undefined) return { problem: `attachments[] entry ${String(entry.id)} is neither an existing attachment nor a files[] part` };
      list.push(added);
    }
    if (list.length > 10) return { problem: `${list.length} attachments (Discord allows 10)` };
    return { list };
  }

  #snapshot(message: StoredMessage): void {
    message.revisions.push({
      at: this.clock.now(),
      content: message.content,
      attachments: message.attachments.map((attachment) => attachment.filename),
      components: message.components,
    });
  }

  /** The API message object discord.js builds a Message from. */
  render(message: StoredMessage, author: FakeUser, applicationId: string): Record<string, unknown> {
    return {
      id: message.id,
      channel_id: message.channelId,
      ...(message.guildId === undefined ? {} : { guild_id: message.guildId }),
      author: { id: author.id, username: author.username, discriminator: '0', global_name: null, avatar: null, bot: author.bot },
      content: message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.editedAt === undefined ? null : new Date(message.editedAt).toISOString(),
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: message.attachments.map((attachment) => ({
        id: attachment.id,
        filename: attachment.filename,
        size: attachment.size,
        url: `${this.baseUrl()}/attachments/${message.channelId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`,
        proxy_url: `${this.baseUrl()}/attachments/${message.channelId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`,
        content_type: attachment.contentType,
        ...(attachment.description === undefined ? {} : { description: attachment.description }),
      })),
      embeds: message.embeds,
      components: message.components,
      reactions: [],
      pinned: false,
      type: message.replyTo !== undefined ? 19 : message.via === 'interaction' && message.interactionId !== undefined ? 20 : 0,
      flags: message.flags,
      ...(message.via === 'channel' ? {} : { webhook_id: applicationId, application_id: applicationId }),
      ...(message.replyTo === undefined ? {} : { message_reference: { type: 0, message_id: message.replyTo, channel_id: message.channelId } }),
    };
  }
}
