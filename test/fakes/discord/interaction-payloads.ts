/**
 * INTERACTION_CREATE and MESSAGE_REACTION_ADD payloads as Discord sends them, for commands
 * (options typed from the registered command, so a test can only send what was registered),
 * buttons, select menus, autocomplete and reactions.
 */
import type { FakeChannel, FakeGuild, FakeUser } from './fake-discord.types.ts';

export const PERMISSIONS = {
  manageMessages: 1n << 13n,
  administrator: 1n << 3n,
  sendMessages: 1n << 11n,
  viewChannel: 1n << 10n,
  useApplicationCommands: 1n << 31n,
} as const;

/** Option types of application commands. */
const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;
const STRING = 3;
const INTEGER = 4;
const BOOLEAN = 5;
const USER = 6;
const NUMBER = 10;

export interface RegisteredOption {
  type: number;
  name: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: Array<{ name: string; value: string | number }>;
  min_value?: number;
  max_value?: number;
  options?: RegisteredOption[];
}

export interface RegisteredCommand {
  id: string;
  name: string;
  default_member_permissions?: string | null;
  options?: RegisteredOption[];
}

export function renderUser(user: FakeUser): Record<string, unknown> {
  return { id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null, bot: user.bot || undefined };
}

/** Permission bits of a member: @everyone plus their roles; administrators get everything. */
export function memberPermissions(guild: FakeGuild, userId: string): bigint {
  if (guild.ownerId === userId) return (1n << 50n) - 1n;
  const member = guild.members.find((candidate) => candidate.userId === userId);
  const roleIds = new Set([guild.id, ...(member?.roleIds ?? [])]);
  let bits = 0n;
  for (const role of guild.roles) if (roleIds.has(role.id)) bits |= BigInt(role.permissions);
  return (bits & PERMISSIONS.administrator) !== 0n ? (1n << 50n) - 1n : bits;
}

export function renderMember(guild: FakeGuild, user: FakeUser, withPermissions: boolean): Record<string, unknown> {
  const member = guild.members.find((candidate) => candidate.userId === user.id);
  return {
    user: renderUser(user),
    roles: member?.roleIds ?? [],
    joined_at: '2025-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    ...(withPermissions ? { permissions: memberPermissions(guild, user.id).toString() } : {}),
  };
}

export function renderChannel(channel: FakeChannel, recipient: FakeUser | undefined): Record<string, unknown> {
  if (channel.guildId === undefined) return { id: channel.id, type: 1, recipients: recipient ? [renderUser(recipient)] : [] };
  return { id: channel.id, type: 0, name: channel.name, nsfw: channel.nsfw, guild_id: channel.guildId, position: 0, permission_overwrites: [] };
}

/** Where an interaction happens and who makes it. */
export interface InteractionContext {
  id: string;
  token: string;
  applicationId: string;
  user: FakeUser;
  channel: FakeChannel;
  guild: FakeGuild | undefined;
}

export function interactionBase(context: InteractionContext, type: 2 | 3 | 4 | 5): Record<string, unknown> {
  const { guild, user, channel } = context;
  return {
    id: context.id,
    application_id: context.applicationId,
    type,
    token: context.token,
    version: 1,
    channel_id: channel.id,
    channel: renderChannel(channel, guild === undefined ? user : undefined),
    ...(guild === undefined ? { user: renderUser(user), context: 1 } : { guild_id: guild.id, member: renderMember(guild, user, true), context: 0, guild_locale: 'en-US' }),
    app_permissions: ((1n << 50n) - 1n).toString(),
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: guild === undefined ? { '1': user.id } : { '0': guild.id },
    attachment_size_limit: 26_214_400,
  };
}

/** Values a test gives: strings, numbers, booleans, or a user (for user options). */
export type OptionValue = string | number | boolean | FakeUser;

/**
 * Typed options for a registered command. `path` picks a subcommand (`['add']`). Throws when the
 * test names an option the command does not have: the bot never registered it.
 */
export function commandOptions(
  command: RegisteredCommand,
  path: readonly string[],
  values: Readonly<Record<string, OptionValue>>,
  focused: string | undefined,
  guild: FakeGuild | undefined,
): { options: unknown[]; resolved: Record<string, unknown> | undefined } {
  let level = command.options ?? [];
  const wrappers: Array<{ type: number; name: string }> = [];
  for (const name of path) {
    const sub = level.find((option) => option.name === name && (option.type === SUB_COMMAND || option.type === SUB_COMMAND_GROUP));
    if (sub === undefined) throw new Error(`/${command.name} has no subcommand ${name}`);
    wrappers.push({ type: sub.type, name });
    level = sub.options ?? [];
  }
  const users: Record<string, unknown> = {};
  const members: Record<string, unknown> = {};
  const options = Object.entries(values).map(([name, value]) => {
    const definition = level.find((option) => option.name === name);
    if (definition === undefined) throw new Error(`/${[command.name, ...path].join(' ')} has no option ${name}`);
    const rendered: Record<string, unknown> = { name, type: definition.type, value: optionValue(definition, value) };
    if (definition.type === USER && typeof value === 'object') {
      users[value.id] = renderUser(value);
      if (guild !== undefined) {
        const { user: _user, ...member } = renderMember(guild, value, false);
        members[value.id] = member;
      }
    }
    if (focused === name) rendered['focused'] = true;
    return rendered;
  });
  let wrapped: unknown[] = options;
  for (const wrapper of [...wrappers].reverse()) wrapped = [{ type: wrapper.type, name: wrapper.name, options: wrapped }];
  const resolved = Object.keys(users).length === 0 ? undefined : { users, ...(guild === undefined ? {} : { members }) };
  return { options: wrapped, resolved };
}

function optionValue(definition: RegisteredOption, value: OptionValue): unknown {
  if (typeof value === 'object') return value.id;
  switch (definition.type) {
    case INTEGER:
    case NUMBER:
    case BOOLEAN:
      return value;
    case STRING:
      return String(value);
    default:
      return value;
  }
}
