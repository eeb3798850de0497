/**
 * Everything the fake Discord knows: people, guilds, channels, registered commands, messages,
 * interactions, and what the bot sent (request log, spec violations, 429s). Test helpers and
 * REST routes both work on this; every change is announced so waits can re-check at once.
 */
import { EventEmitter } from 'node:events';
import type { FakeClock } from './fake-clock.ts';
import type {
  FakeChannel,
  FakeGuild,
  FakeInteraction,
  FakeUser,
  InjectedFault,
  RateLimitHit,
  RecordedRequest,
  UploadRefusal,
  StoredMessage,
  Violation,
} from './fake-discord.types.ts';
import type { RegisteredCommand } from './interaction-payloads.ts';
import { MessageStore } from './message-store.ts';

export interface WorldOptions {
  token: string;
  applicationId: string;
  botUser: FakeUser;
  users: FakeUser[];
  guilds: FakeGuild[];
  channels: FakeChannel[];
  /** How long an interaction token works (Discord: 15 minutes). */
  tokenLifetimeMs: number;
  /** How long the bot has for the first response (Discord: 3 s). */
  responseWindowMs: number;
  /** Upload limit for every channel, instead of Discord's by boost tier (see upload-limit.ts). */
  uploadLimitBytes: number | undefined;
}

export class FakeDiscordWorld {
  readonly changes = new EventEmitter();
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages: MessageStore;
  readonly interactions = new Map<string, FakeInteraction>();
  /** Registered commands: key `global` or a guild id. */
  readonly commands = new Map<string, RegisteredCommand[]>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  readonly rateLimitHits: RateLimitHit[] = [];
  /** Errors to answer instead of doing matching requests (tests push them). */
  readonly faults: InjectedFault[] = [];
  /** Requests refused for files over the upload limit. */
  readonly uploadRefusals: UploadRefusal[] = [];
  /** Requests to routes the fake does not implement. */
  readonly unhandled: string[] = [];
  /** Bulk command overwrites, in order: `global` or a guild id. */
  readonly commandUploads: string[] = [];

  constructor(
    readonly options: WorldOptions,
    readonly clock: FakeClock,
    baseUrl: () => string,
  ) {
    this.changes.setMaxListeners(0);
    this.messages = new MessageStore(clock, baseUrl);
    for (const user of [options.botUser, ...options.users]) this.users.set(user.id, user);
    for (const guild of options.guilds) this.guilds.set(guild.id, guild);
    for (const channel of options.channels) this.channels.set(channel.id, channel);
  }

  changed(): void {
    this.changes.emit('change');
  }

  user(id: string): FakeUser {
    const user = this.users.get(id);
    if (user === undefined) throw new Error(`no such user ${id}`);
    return user;
  }

  channel(id: string): FakeChannel {
    const channel = this.channels.get(id);
    if (channel === undefined) throw new Error(`no such channel ${id}`);
    return channel;
  }

  interactionByToken(token: string): FakeInteraction | undefined {
    for (const interaction of this.interactions.values()) if (interaction.token === token) return interaction;
    return undefined;
  }

  tokenExpired(interaction: FakeInteraction): boolean {
    return this.clock.now() - interaction.createdAt > this.options.tokenLifetimeMs;
  }

  /** Live messages in a channel, oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return [...this.messages.messages.values()].filter((message) => message.channelId === channelId && !message.deleted);
  }

  renderMessage(message: StoredMessage): Record<string, unknown> {
    return this.messages.render(message, this.users.get(message.authorId) ?? this.options.botUser, this.options.applicationId);
  }

  guildCreate(guildId: string): Record<string, unknown> {
    const guild = this.guilds.get(guildId);
    if (guild === undefined) throw new Error(`no such guild ${guildId}`);
    const channels = [...this.channels.values()].filter((channel) => channel.guildId === guildId);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: guild.ownerId,
      premium_tier: guild.premiumTier ?? 0,
      unavailable: false,
      large: false,
      member_count: guild.members.length,
      joined_at: '2025-01-01T00:00:00.000Z',
      features: [],
      emojis: [],
      stickers: [],
      voice_states: [],
      presences: [],
      threads: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      members: [],
      preferred_locale: 'en-US',
      roles: guild.roles.map((role, position) => ({
        id: role.id,
        name: role.name,
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position,
        permissions: role.permissions,
        managed: false,
        mentionable: false,
        flags: 0,
      })),
      channels: channels.map((channel, position) => ({
        id: channel.id,
        type: 0,
        name: channel.name,
        nsfw: channel.nsfw,
        position,
        permission_overwrites: [],
        guild_id: guild.id,
      })),
    };
  }
}
