/**
 * Interaction routes as Discord answers them: the callback (204, once, within the response
 * window) and the interaction webhook (`@original`, follow-ups); an expired token gets 401 /
 * 50027 "Invalid Webhook Token".
 */
import type { FakeInteraction, StoredMessage } from './fake-discord.types.ts';
import { UNKNOWN_MESSAGE, UNKNOWN_WEBHOOK, changed, error, messageBody, noContent, ok, type RouteAnswer, type RouteContext } from './fake-rest.answers.ts';
import { LOADING, type MessageBody } from './message-store.ts';

export function callback([id, token]: string[], context: RouteContext): RouteAnswer {
  const { world } = context;
  const interaction = world.interactions.get(id ?? '');
  if (interaction === undefined || interaction.token !== token) return error(404, 10062, 'Unknown interaction');
  interaction.callbackAt ??= performance.now();
  if (interaction.callbackType !== undefined) return error(400, 40060, 'Interaction has already been acknowledged.');
  if (world.clock.now() - interaction.createdAt > world.options.responseWindowMs) return error(404, 10062, 'Unknown interaction');
  const body = context.body.json as { type: number; data?: MessageBody & { choices?: unknown[] } };
  const flags = body.data?.flags ?? 0;
  switch (body.type) {
    case 4:
    case 5: {
      const created = world.messages.create({
        channelId: interaction.channelId,
        guildId: interaction.guildId,
        authorId: world.options.botUser.id,
        body: body.type === 4 ? (body.data ?? {}) : { content: '', flags },
        files: context.body.files,
        via: 'interaction',
        interactionId: interaction.id,
        extraFlags: body.type === 5 ? LOADING : 0,
      });
      if ('problem' in created) return error(400, 50035, created.problem);
      interaction.originalMessageId = created.message.id;
      break;
    }
    case 6:
    case 7: {
      const target = interaction.componentMessageId === undefined ? undefined : world.messages.get(interaction.componentMessageId);
      if (target === undefined) return error(400, 40004, 'This interaction has no message to update');
      if (body.type === 7) {
        const edited = world.messages.edit(target, body.data ?? {}, context.body.files);
        if ('problem' in edited) return error(400, 50035, edited.problem);
      }
      interaction.originalMessageId = target.id;
      break;
    }
    case 9:
      // A modal: only as the first answer to a command or a component (not to a modal submit).
      if (interaction.type !== 2 && interaction.type !== 3) return error(400, 50035, 'A modal can only answer a command or a component');
      interaction.modal = body.data as unknown as FakeInteraction['modal'];
      break;
    case 8:
      if (interaction.type !== 4) return error(400, 50035, 'Autocomplete result for a non-autocomplete interaction');
      interaction.choices = body.data?.choices ?? [];
      break;
    default:
      return error(400, 50035, `Unsupported callback type ${body.type}`);
  }
  interaction.callbackType = body.type;
  interaction.ackedAt = performance.now();
  return changed(context, noContent);
}

/** The interaction behind a webhook token, or the error Discord gives. */
function webhookInteraction([applicationId, token]: string[], context: RouteContext): FakeInteraction | RouteAnswer {
  const interaction = context.world.interactionByToken(token ?? '');
  if (interaction === undefined || applicationId !== context.world.options.applicationId) return UNKNOWN_WEBHOOK;
  if (context.world.tokenExpired(interaction)) return error(401, 50027, 'Invalid Webhook Token');
  return interaction;
}

function webhookMessage(params: string[], context: RouteContext): { interaction: FakeInteraction; message: StoredMessage } | RouteAnswer {
  const interaction = webhookInteraction(params, context);
  if ('status' in interaction) return interaction;
  const messageId = params[2] === '@original' ? interaction.originalMessageId : params[2];
  const message = messageId === undefined ? undefined : context.world.messages.get(messageId);
  if (message === undefined) return UNKNOWN_MESSAGE;
  if (params[2] !== '@original' && message.interactionId !== interaction.id) return UNKNOWN_MESSAGE;
  return { interaction, message };
}

export function followUp(params: string[], context: RouteContext): RouteAnswer {
  const interaction = webhookInteraction(params, context);
  if ('status' in interaction) return interaction;
  if (interaction.callbackType === undefined) return error(400, 40060, 'Interaction has not been acknowledged.');
  const created = context.world.messages.create({
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    authorId: context.world.options.botUser.id,
    body: messageBody(context),
    files: context.body.files,
    via: 'followup',
    interactionId: interaction.id,
    extraFlags: 0,
  });
  if ('problem' in created) return error(400, 50035, created.problem);
  return changed(context, ok(context.world.renderMessage(created.message)));
}

export function getWebhookMessage(params: string[], context: RouteContext): RouteAnswer {
  const found = webhookMessage(params, context);
  return 'status' in found ? found : ok(context.world.renderMessage(found.message));
}

export function editWebhookMessage(params: string[], context: RouteContext): RouteAnswer {
  const found = webhookMessage(params, context);
  if ('status' in found) return found;
  const edited = context.world.messages.edit(found.message, messageBody(context), context.body.files);
  if ('problem' in edited) return error(400, 50035, edited.problem);
  return changed(context, ok(context.world.renderMessage(edited.message)));
}

export function deleteWebhookMessage(params: string[], context: RouteContext): RouteAnswer {
  const found = webhookMessage(params, context);
  if ('status' in found) return found;
  found.message.deleted = true;
  return changed(context, noContent);
}

