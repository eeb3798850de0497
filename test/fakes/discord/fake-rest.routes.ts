/**
 * The REST routes discord.js calls, answered the way Discord answers: interaction callbacks and
 * webhooks (see fake-rest.interactions.ts), channel messages and reactions with the bot token,
 * command registration, gateway discovery, users and guild members.
 */
import type { StoredMessage } from './fake-discord.types.ts';
import { UNKNOWN_MESSAGE, changed, error, messageBody, needsBot, noContent, ok, type Handler, type RouteAnswer, type RouteContext } from './fake-rest.answers.ts';
import { callback, deleteWebhookMessage, editWebhookMessage, followUp, getWebhookMessage } from './fake-rest.interactions.ts';
import { renderMember, renderUser, type RegisteredCommand } from './interaction-payloads.ts';
import { EPHEMERAL } from './message-store.ts';

export type { RouteAnswer, RouteContext } from './fake-rest.answers.ts';

// ---- channels -------------------------------------------------------------------------------

function channelMessage([channelId, messageId]: string[], context: RouteContext): StoredMessage | undefined {
  const message = context.world.messages.get(messageId ?? '');
  return message !== undefined && message.channelId === channelId && (message.flags & EPHEMERAL) === 0 ? message : undefined;
}

function createChannelMessage([channelId]: string[], context: RouteContext): RouteAnswer {
  const channel = context.world.channels.get(channelId ?? '');
  if (channel === undefined) return error(404, 10003, 'Unknown Channel');
  const created = context.world.messages.create({
    channelId: channel.id,
    guildId: channel.guildId,
    authorId: context.world.options.botUser.id,
    body: messageBody(context),
    files: context.body.files,
    via: 'channel',
    interactionId: undefined,
    extraFlags: 0,
  });
  if ('problem' in created) return error(400, 50035, created.problem);
  return changed(context, ok(context.world.renderMessage(created.message)));
}

function editChannelMessage(params: string[], context: RouteContext): RouteAnswer {
  const message = channelMessage(params, context);
  if (message === undefined) return UNKNOWN_MESSAGE;
  if (message.authorId !== context.world.options.botUser.id) return error(403, 50005, 'Cannot edit a message authored by another user');
  const edited = context.world.messages.edit(message, messageBody(context), context.body.files);
  if ('problem' in edited) return error(400, 50035, edited.problem);
  return changed(context, ok(context.world.renderMessage(edited.message)));
}

function deleteChannelMessage(params: string[], context: RouteContext): RouteAnswer {
  const message = channelMessage(params, context);
  if (message === undefined) return UNKNOWN_MESSAGE;
  message.deleted = true;
  return changed(context, noContent);
}

function reaction(add: boolean): Handler {
  return (params, context) => {
    const message = channelMessage(params, context);
    if (message === undefined) return UNKNOWN_MESSAGE;
    const emoji = params[2] ?? '';
    const userId = params[3] === '@me' ? context.world.options.botUser.id : (params[3] ?? '');
    message.reactions = message.reactions.filter((entry) => !(entry.emoji === emoji && entry.userId === userId));
    if (add) message.reactions.push({ emoji, userId });
    return changed(context, noContent);
  };
}

function getChannel([channelId]: string[], context: RouteContext): RouteAnswer {
  const channel = context.world.channels.get(channelId ?? '');
  if (channel === undefined) return error(404, 10003, 'Unknown Channel');
  return ok(
    channel.guildId === undefined
      ? { id: channel.id, type: 1, recipients: [] }
      : { id: channel.id, type: 0, name: channel.name, nsfw: channel.nsfw, guild_id: channel.guildId, position: 0, permission_overwrites: [] },
  );
}

// ---- application, gateway, users, guilds ------------------------------------------------------

function overwriteCommands(params: string[], context: RouteContext): RouteAnswer {
  const { world } = context;
  if (params[0] !== world.options.applicationId) return error(403, 50001, 'Missing Access');
  const scope = params[1] ?? 'global';
  if (scope !== 'global' && !world.guilds.has(scope)) return error(403, 50001, 'Missing Access');
  const list = (context.body.json ?? []) as Array<Omit<RegisteredCommand, 'id'>>;
  const registered = list.map((command) => ({ ...command, id: world.clock.snowflake() }));
  world.commands.set(scope, registered);
  world.commandUploads.push(scope);
  return changed(
    context,
    ok(registered.map((command) => ({ type: 1, application_id: world.options.applicationId, version: command.id, ...command, ...(scope === 'global' ? {} : { guild_id: scope }) }))),
  );
}

function listCommands(params: string[], context: RouteContext): RouteAnswer {
  return ok(context.world.commands.get(params[1] ?? 'global') ?? []);
}

function guildMember([guildId, userId]: string[], context: RouteContext): RouteAnswer {
  const guild = context.world.guilds.get(guildId ?? '');
  const user = context.world.users.get(userId ?? '');
  if (guild === undefined || user === undefined || !guild.members.some((member) => member.userId === user.id)) return error(404, 10007, 'Unknown Member');
  return ok(renderMember(guild, user, false));
}

function guild([guildId]: string[], context: RouteContext): RouteAnswer {
  return context.world.guilds.has(guildId ?? '') ? ok(context.world.guildCreate(guildId ?? '')) : error(404, 10004, 'Unknown Guild');
}

export const ROUTES: Array<[method: string, pattern: RegExp, handler: Handler]> = [
  ['GET', /^\/gateway\/bot$/, needsBot((_params, context) => ok({ url: context.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } }))],
  ['GET', /^\/gateway$/, (_params, context) => ok({ url: context.gatewayUrl })],
  ['GET', /^\/users\/@me$/, needsBot((_params, context) => ok(renderUser(context.world.options.botUser)))],
  ['GET', /^\/users\/([^/]+)$/, needsBot(([id], context) => (context.world.users.has(id ?? '') ? ok(renderUser(context.world.user(id ?? ''))) : error(404, 10013, 'Unknown User')))],
  ['PUT', /^\/applications\/([^/]+)\/commands$/, needsBot(overwriteCommands)],
  ['PUT', /^\/applications\/([^/]+)\/guilds\/([^/]+)\/commands$/, needsBot(overwriteCommands)],
  ['GET', /^\/applications\/([^/]+)\/commands$/, needsBot(listCommands)],
  ['GET', /^\/applications\/([^/]+)\/guilds\/([^/]+)\/commands$/, needsBot(listCommands)],
  ['POST', /^\/interactions\/([^/]+)\/([^/]+)\/callback$/, callback],
  ['POST', /^\/webhooks\/([^/]+)\/([^/]+)$/, followUp],
  ['GET', /^\/webhooks\/([^/]+)\/([^/]+)\/messages\/([^/]+)$/, getWebhookMessage],
  ['PATCH', /^\/webhooks\/([^/]+)\/([^/]+)\/messages\/([^/]+)$/, editWebhookMessage],
  ['DELETE', /^\/webhooks\/([^/]+)\/([^/]+)\/messages\/([^/]+)$/, deleteWebhookMessage],
  ['GET', /^\/channels\/([^/]+)$/, needsBot(getChannel)],
  ['POST', /^\/channels\/([^/]+)\/messages$/, needsBot(createChannelMessage)],
  ['GET', /^\/channels\/([^/]+)\/messages\/([^/]+)$/, needsBot((params, context) => {
    const message = channelMessage(params, context);
    return message === undefined ? UNKNOWN_MESSAGE : ok(context.world.renderMessage(message));
  })],
  ['PATCH', /^\/channels\/([^/]+)\/messages\/([^/]+)$/, needsBot(editChannelMessage)],
  ['DELETE', /^\/channels\/([^/]+)\/messages\/([^/]+)$/, needsBot(deleteChannelMessage)],
  ['PUT', /^\/channels\/([^/]+)\/messages\/([^/]+)\/reactions\/([^/]+)\/(@me)$/, needsBot(reaction(true))],
  ['DELETE', /^\/channels\/([^/]+)\/messages\/([^/]+)\/reactions\/([^/]+)\/([^/]+)$/, needsBot(reaction(false))],
  ['GET', /^\/guilds\/([^/]+)$/, needsBot(guild)],
  ['GET', /^\/guilds\/([^/]+)\/members\/([^/]+)$/, needsBot(guildMember)],
];
