/** The fake Discord's world: people, guilds, channels, messages, interactions and the request log. */

/** A Discord account. */
export interface FakeUser {
  id: string;
  username: string;
  bot: boolean;
}

export interface FakeRole {
  id: string;
  name: string;
  /** Permission bits as a decimal string, like Discord sends them. */
  permissions: string;
}

export interface FakeChannel {
  id: string;
  /** undefined = a direct-message channel. */
  guildId: string | undefined;
  name: string;
  nsfw: boolean;
}

export interface FakeMember {
  userId: string;
  roleIds: string[];
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  /** The first role is @everyone (same id as the guild). */
  roles: FakeRole[];
  members: FakeMember[];
  /** Boost tier 0–3 (sets the upload limit); default 0. */
  premiumTier?: number;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string;
  description: string | undefined;
  bytes: Buffer;
}

/** One version of a message, kept for tests that look at the sequence of edits. */
export interface MessageRevision {
  at: number;
  content: string;
  /** Attachment file names at that time. */
  attachments: string[];
  components: unknown[];
}

export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string | undefined;
  authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  /** The message this one replies to. */
  replyTo: string | undefined;
  allowedMentions: unknown;
  /** Set for interaction responses and follow-ups. */
  interactionId: string | undefined;
  /** How it was made: an interaction callback, a follow-up, or the bot token in a channel. */
  via: 'interaction' | 'followup' | 'channel';
  createdAt: number;
  editedAt: number | undefined;
  deleted: boolean;
  revisions: MessageRevision[];
  reactions: Array<{ emoji: string; userId: string }>;
}

export interface FakeInteraction {
  id: string;
  token: string;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  type: 2 | 3 | 4 | 5;
  userId: string;
  channelId: string;
  guildId: string | undefined;
  /** The raw INTERACTION_CREATE payload sent. */
  payload: Record<string, unknown>;
  /** The message a component was on. */
  componentMessageId: string | undefined;
  /** Fake-clock time of creation (token lifetime, 3-second window). */
  createdAt: number;
  /** performance.now() when dispatched, when the first callback arrived (even a refused one), and when one was accepted. */
  dispatchedAt: number;
  callbackAt: number | undefined;
  ackedAt: number | undefined;
  /** The callback type the bot answered with. */
  callbackType: number | undefined;
  /** Autocomplete answer. */
  choices: unknown[] | undefined;
  /** The modal the bot answered with (callback 9): custom_id, title, components. Optional: set by the callback. */
  modal?: { custom_id: string; title: string; components: Array<{ type: number; components: Array<{ type: number; custom_id: string; label?: string; required?: boolean }> }> } | undefined;
  /** The `@original` message. */
  originalMessageId: string | undefined;
}

/** One HTTP request the bot made. */
export interface RecordedRequest {
  method: string;
  /** Decoded path below `/api/v10`. */
  path: string;
  query: string;
  auth: 'bot' | 'none' | 'wrong';
  kind: 'json' | 'multipart' | 'none';
  body: unknown;
  files: Array<{ field: string; filename: string; size: number }>;
  status: number;
  /** Fake-clock time. */
  at: number;
  /** Spec operation, when the spec knows the route. */
  operationId: string | undefined;
}

/** A request that broke the spec or the multipart rules. */
export interface Violation {
  request: string;
  problems: string[];
}

/** An error the fake answers instead of doing a request (e.g. the bot lost Attach Files). */
export interface InjectedFault {
  /** Which requests: method, path below /api/v10, and how many files they carry. */
  when: (request: { method: string; path: string; files: number }) => boolean;
  status: number;
  code: number;
  message: string;
  /** How many more requests get it. */
  times: number;
}

/** A request whose files were over the upload limit (answered 413 / 40005). */
export interface UploadRefusal {
  request: string;
  bytes: number;
  limit: number;
}

/** A 429 the fake answered. */
export interface RateLimitHit {
  bucket: string;
  request: string;
  retryAfterMs: number;
  at: number;
}
