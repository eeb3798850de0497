/**
 * What the fake Slack keeps: people, messages (with files and reactions), uploads, and a record
 * of every call the bot made, so tests can assert what a person would see in Slack.
 */

/** A workspace member as `users.info` describes them. */
export interface FakeSlackUser {
  id: string;
  name: string;
  displayName: string;
  isAdmin: boolean;
  isOwner: boolean;
}

export interface FakeSlackIdentity {
  team: { id: string; name: string; domain: string };
  /** The bot user and bot ids `auth.test` returns; messages the bot posts carry them. */
  bot: { userId: string; botId: string; appId: string };
  botToken: string;
  appToken: string;
}

/** A file the bot uploaded (getUploadURLExternal → upload → completeUploadExternal). */
export interface FakeSlackFile {
  id: string;
  name: string;
  title: string;
  /** Declared in getUploadURLExternal; the upload must match it. */
  length: number;
  bytes: Buffer | undefined;
  completed: boolean;
  deleted: boolean;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  /** Author: the bot user for the bot's messages. */
  user: string;
  botId: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  threadTs: string | undefined;
  fileIds: string[];
  /** reaction name → users who added it, in order. */
  reactions: Map<string, string[]>;
  /** How many times chat.update changed it. */
  edits: number;
  deleted: boolean;
  /** Message metadata posted with it (chat.postMessage `metadata`); read back by conversations.history with include_all_metadata. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> } | undefined;
}

/** One Web API call as the bot made it. */
export interface FakeSlackCall {
  method: string;
  /** Form fields as sent (JSON-valued fields stay strings; see {@link jsonParam}). */
  params: Record<string, string>;
  /** The `ok` the fake answered with, and the error when not ok. */
  ok: boolean;
  error: string | undefined;
  at: number;
}

/** An ephemeral message (chat.postEphemeral or a response_url post). */
export interface FakeSlackEphemeral {
  via: 'chat.postEphemeral' | 'response_url';
  channel: string | undefined;
  user: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  /** response_url only: what the body asked for. */
  responseType: string | undefined;
  replaceOriginal: boolean | undefined;
  at: number;
}

/** Parses a JSON-valued form field (`blocks`, `files`), or undefined when absent. */
export function jsonParam<T>(call: Pick<FakeSlackCall, 'params'>, name: string): T | undefined {
  const raw = call.params[name];
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}
