/**
 * The state of the fake workspace and the Web API methods that read and change it. Each method
 * takes the form fields as sent and returns the JSON Slack would answer (errors are `ok: false`
 * with Slack's error code, as HTTP 200, like the real API).
 */
import { blockKitProblems } from './block-kit.check.ts';
import type { FakeSlackEphemeral, FakeSlackFile, FakeSlackIdentity, FakeSlackMessage, FakeSlackUser } from './fake-slack.types.ts';

export type ApiAnswer = { ok: true; [key: string]: unknown } | { ok: false; error: string; [key: string]: unknown };
type Params = Record<string, string>;

/** Slack's limit on a message's `text`. */
const MESSAGE_TEXT_LIMIT = 40_000;

const fail = (error: string, extra: Record<string, unknown> = {}): ApiAnswer => ({ ok: false, error, ...extra });

export class FakeSlackWorkspace {
  readonly users = new Map<string, FakeSlackUser>();
  readonly messages: FakeSlackMessage[] = [];
  readonly files = new Map<string, FakeSlackFile>();
  readonly ephemerals: FakeSlackEphemeral[] = [];
  /** Channels the bot was not invited to: posting there fails with `not_in_channel`. */
  readonly channelsWithoutBot = new Set<string>();
  /** Problems with what the bot sent that Slack would have rejected. */
  readonly violations: string[] = [];
  #lastTsMicros = 0;
  #fileCounter = 0;

  constructor(
    readonly identity: FakeSlackIdentity,
    users: readonly FakeSlackUser[],
    readonly baseUrl: () => string,
  ) {
    for (const user of users) this.users.set(user.id, user);
  }

  /** Message timestamps: epoch seconds.microseconds of the wall clock, strictly increasing, like Slack's. */
  nextTs(): string {
    this.#lastTsMicros = Math.max(Date.now() * 1000, this.#lastTsMicros + 1);
    return `${Math.floor(this.#lastTsMicros / 1_000_000)}.${String(this.#lastTsMicros % 1_000_000).padStart(6, '0')}`;
  }

  message(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts && !message.deleted);
  }

  /** Messages of the bot in a channel's thread (or top level with `threadTs` undefined). */
  thread(channel: string, threadTs: string): FakeSlackMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === threadTs && !message.deleted);
  }

  call(method: string, params: Params): ApiAnswer {
    switch (method) {
      case 'auth.test':
        return this.#authTest();
      case 'chat.postMessage':
        return this.#postMessage(params);
      case 'chat.update':
        return this.#update(params);
      case 'chat.delete':
        return this.#delete(params);
      case 'chat.postEphemeral':
        return this.#postEphemeral(params);
      case 'users.info':
        return this.#usersInfo(params);
      case 'reactions.add':
        return this.#reactionsAdd(params);
      case 'reactions.get':
        return this.#reactionsGet(params);
      case 'conversations.history':
        return this.#history(params);
      case 'conversations.replies':
        return this.#replies(params);
      case 'files.getUploadURLExternal':
        return this.#uploadUrl(params);
      case 'files.completeUploadExternal':
        return this.#completeUpload(params);
      case 'files.delete':
        return this.#deleteFile(params);
      default:
        return fail('unknown_method');
    }
  }

  /** Stores the bytes posted to an upload URL; false when the file is unknown or the size is wrong. */
  receiveUpload(fileId: string, bytes: Buffer): boolean {
    const file = this.files.get(fileId);
    if (file === undefined || file.completed) return false;
    if (bytes.length !== file.length) {
      this.violations.push(`upload of ${fileId}: ${bytes.length} bytes, declared ${file.length}`);
      return false;
    }
    file.bytes = bytes;
    return true;
  }

  #authTest(): ApiAnswer {
    const { team, bot } = this.identity;
    return { ok: true, url: `https://${team.domain}.slack.com/`, team: team.name, user: 'darkroom', team_id: team.id, user_id: bot.userId, bot_id: bot.botId };
  }

  #blocks(params: Params): { blocks: unknown[] | undefined; problem: string | undefined } {
    const text = params['text'];
    if (text !== undefined && text.length > MESSAGE_TEXT_LIMIT) {
      this.violations.push(`text of ${text.length} characters (max ${MESSAGE_TEXT_LIMIT})`);
      return { blocks: undefined, problem: 'msg_too_long' };
    }
    if (params['blocks'] === undefined) return { blocks: undefined, problem: undefined };
    const blocks = JSON.parse(params['blocks']) as unknown[];
    const problems = blockKitProblems(blocks);
    if (problems.length > 0) this.violations.push(...problems);
    return { blocks, problem: problems.length > 0 ? 'invalid_blocks' : undefined };
  }

  #postMessage(params: Params): ApiAnswer {
    const channel = params['channel'];
    if (channel === undefined) return fail('channel_not_found');
    if (this.channelsWithoutBot.has(channel)) return fail('not_in_channel');
    const { blocks, problem } = this.#blocks(params);
    if (problem) return fail(problem);
    if (!params['text'] && blocks === undefined) return fail('no_text');
    const threadTs = params['thread_ts'];
    if (threadTs !== undefined && this.message(channel, threadTs) === undefined) return fail('thread_not_found');
    const metadata = params['metadata'] === undefined ? undefined : (JSON.parse(params['metadata']) as FakeSlackMessage['metadata']);
    if (metadata !== undefined && (typeof metadata?.event_type !== 'string' || typeof metadata.event_payload !== 'object' || metadata.event_payload === null)) {
      return fail('invalid_metadata_format');
    }
    const message = this.#newMessage(channel, params['text'] ?? '', blocks, threadTs, []);
    message.metadata = metadata;
    return { ok: true, channel, ts: message.ts, message: this.render(message) };
  }

  #update(params: Params): ApiAnswer {
    const message = this.message(params['channel'] ?? '', params['ts'] ?? '');
    if (message === undefined) return fail('message_not_found');
    if (message.user !== this.identity.bot.userId) return fail('cant_update_message');
    const { blocks, problem } = this.#blocks(params);
    if (problem) return fail(problem);
    if (params['text'] !== undefined) message.text = params['text'];
    // chat.update without `blocks` keeps the old ones; an empty array removes them.
    if (blocks !== undefined) message.blocks = blocks;
    message.edits += 1;
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  }

  #delete(params: Params): ApiAnswer {
    const message = this.message(params['channel'] ?? '', params['ts'] ?? '');
    if (message === undefined) return fail('message_not_found');
    if (message.user !== this.identity.bot.userId) return fail('cant_delete_message');
    message.deleted = true;
    return { ok: true, channel: message.channel, ts: message.ts };
  }

  #postEphemeral(params: Params): ApiAnswer {
    const channel = params['channel'];
    const user = params['user'];
    if (channel === undefined) return fail('channel_not_found');
    if (this.channelsWithoutBot.has(channel)) return fail('not_in_channel');
    if (user === undefined || !this.users.has(user)) return fail('user_not_in_channel');
    const { blocks, problem } = this.#blocks(params);
    if (problem) return fail(problem);
    this.ephemerals.push({ via: 'chat.postEphemeral', channel, user, text: params['text'] ?? '', blocks, responseType: undefined, replaceOriginal: undefined, at: Date.now() });
    return { ok: true, message_ts: this.nextTs() };
  }

  #usersInfo(params: Params): ApiAnswer {
    const user = this.users.get(params['user'] ?? '');
    if (user === undefined) return fail('user_not_found');
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: this.identity.team.id,
        name: user.name,
        real_name: user.displayName,
        is_admin: user.isAdmin,
        is_owner: user.isOwner,
        is_bot: false,
        profile: { display_name: user.displayName, real_name: user.displayName },
      },
    };
  }

  /** Adds a reaction as `user` (the bot for reactions.add); false when it was already there. */
  react(message: FakeSlackMessage, name: string, user: string): boolean {
    const users = message.reactions.get(name) ?? [];
    if (users.includes(user)) return false;
    message.reactions.set(name, [...users, user]);
    return true;
  }

  #reactionsAdd(params: Params): ApiAnswer {
    const message = this.message(params['channel'] ?? '', params['timestamp'] ?? '');
    if (message === undefined) return fail('message_not_found');
    const name = params['name'];
    if (name === undefined || !/^[a-z0-9_+-]+$/.test(name)) return fail('invalid_name');
    return this.react(message, name, this.identity.bot.userId) ? { ok: true } : fail('already_reacted');
  }

  #reactionsGet(params: Params): ApiAnswer {
    const message = this.message(params['channel'] ?? '', params['timestamp'] ?? '');
    if (message === undefined) return fail('message_not_found');
    return { ok: true, type: 'message', channel: message.channel, message: this.render(message) };
  }

  /**
   * conversations.history: top-level messages, newest first, between `oldest` and `latest`
   * (exclusive unless `inclusive`), `limit` per page (default 100) with a cursor; metadata only
   * with `include_all_metadata`. Needs the bot in the channel.
   */
  #history(params: Params): ApiAnswer {
    const channel = params['channel'];
    if (channel === undefined) return fail('channel_not_found');
    if (this.channelsWithoutBot.has(channel)) return fail('not_in_channel');
    const inclusive = params['inclusive'] === 'true' || params['inclusive'] === '1';
    const oldest = Number(params['oldest'] ?? '0');
    const latest = params['latest'] === undefined ? Number.POSITIVE_INFINITY : Number(params['latest']);
    const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
    const found = this.messages
      .filter((message) => message.channel === channel && message.threadTs === undefined && !message.deleted && inRange(Number(message.ts)))
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const limit = Math.min(Math.max(Number(params['limit'] ?? '100') || 100, 1), 999);
    const start = Number(params['cursor'] ?? '0') || 0;
    const page = found.slice(start, start + limit);
    const more = start + limit < found.length;
    const withMetadata = params['include_all_metadata'] === 'true' || params['include_all_metadata'] === '1';
    return {
      ok: true,
      messages: page.map((message) => ({ ...this.render(message), ...(withMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}) })),
      has_more: more,
      response_metadata: { next_cursor: more ? String(start + limit) : '' },
    };
  }

  /** conversations.replies: a thread's parent, then its replies, oldest first. */
  #replies(params: Params): ApiAnswer {
    const channel = params['channel'] ?? '';
    if (this.channelsWithoutBot.has(channel)) return fail('not_in_channel');
    const parent = this.message(channel, params['ts'] ?? '');
    if (parent === undefined) return fail('thread_not_found');
    return { ok: true, messages: [parent, ...this.thread(channel, parent.ts)].map((message) => this.render(message)), has_more: false };
  }

  /** A message as the Web API shows it. */
  render(message: FakeSlackMessage): Record<string, unknown> {
    const files = message.fileIds.map((id) => this.files.get(id)).filter((file): file is FakeSlackFile => file !== undefined && !file.deleted);
    return {
      type: 'message',
      ts: message.ts,
      user: message.user,
      ...(message.botId === undefined ? {} : { bot_id: message.botId, app_id: this.identity.bot.appId }),
      text: message.text,
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
      ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
      ...(files.length === 0 ? {} : { files: files.map((file) => ({ id: file.id, name: file.name, title: file.title, size: file.length })) }),
      ...(message.reactions.size === 0
        ? {}
        : { reactions: [...message.reactions].map(([name, users]) => ({ name, users, count: users.length })) }),
    };
  }

  #uploadUrl(params: Params): ApiAnswer {
    const length = Number(params['length']);
    const name = params['filename'];
    if (!name) return fail('invalid_arguments');
    if (!Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
    this.#fileCounter += 1;
    const id = `F${String(this.#fileCounter).padStart(9, '0')}`;
    this.files.set(id, { id, name, title: name, length, bytes: undefined, completed: false, deleted: false });
    return { ok: true, upload_url: `${this.baseUrl()}upload/${id}`, file_id: id };
  }

  #completeUpload(params: Params): ApiAnswer {
    const entries = JSON.parse(params['files'] ?? '[]') as Array<{ id: string; title?: string }>;
    if (entries.length === 0) return fail('invalid_arguments');
    for (const entry of entries) {
      const file = this.files.get(entry.id);
      if (file === undefined || file.bytes === undefined) return fail('file_not_found');
    }
    const channel = params['channel_id'];
    if (channel !== undefined && this.channelsWithoutBot.has(channel)) return fail('not_in_channel');
    const threadTs = params['thread_ts'];
    if (channel !== undefined && threadTs !== undefined && this.message(channel, threadTs) === undefined) return fail('thread_not_found');
    const files = entries.map((entry) => {
      const file = this.files.get(entry.id) as FakeSlackFile;
      file.completed = true;
      if (entry.title) file.title = entry.title;
      return file;
    });
    if (channel !== undefined) {
      this.#newMessage(channel, params['initial_comment'] ?? '', undefined, threadTs, files.map((file) => file.id));
    }
    return { ok: true, files: files.map((file) => ({ id: file.id, name: file.name, title: file.title })) };
  }

  #deleteFile(params: Params): ApiAnswer {
    const file = this.files.get(params['file'] ?? '');
    if (file === undefined || file.deleted) return fail('file_not_found');
    file.deleted = true;
    for (const message of this.messages) {
      // A file message with nothing left in it disappears, as in Slack.
      if (message.fileIds.includes(file.id) && message.fileIds.every((id) => this.files.get(id)?.deleted)) message.deleted = true;
    }
    return { ok: true };
  }

  #newMessage(channel: string, text: string, blocks: unknown[] | undefined, threadTs: string | undefined, fileIds: string[]): FakeSlackMessage {
    const message: FakeSlackMessage = {
      channel,
      ts: this.nextTs(),
      user: this.identity.bot.userId,
      botId: this.identity.bot.botId,
      text,
      blocks,
      threadTs,
      fileIds,
      reactions: new Map(),
      edits: 0,
      deleted: false,
    };
    this.messages.push(message);
    return message;
  }

  /** A message a person wrote (for tests that react to someone else's message). */
  postAsUser(channel: string, user: string, text: string): FakeSlackMessage {
    const message = this.#newMessage(channel, text, undefined, undefined, []);
    message.user = user;
    message.botId = undefined;
    return message;
  }
}
