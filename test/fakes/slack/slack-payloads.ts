/**
 * Inbound payloads as Slack sends them (fields from Slack's docs for slash commands,
 * block_actions and the reaction_added event), addressed to a {@link FakeSlack} so that
 * response_url posts land in it.
 */
import { randomBytes } from 'node:crypto';
import type { FakeSlack } from './fake-slack.server.ts';

let counter = 0;
const unique = () => `${Date.now()}.${++counter}.${randomBytes(8).toString('hex')}`;

export interface SlashCommandInput {
  command: '/imagine' | '/darkroom';
  text: string;
  user: string;
  channel: string;
  /** Reuse one to send the same command again (a retry). */
  triggerId?: string;
  /** The workspace the person acts from (an org-wide app serves several); default the fake's own team. */
  team?: { id: string; domain: string };
}

/** The form fields of a slash command. */
export function slashCommandFields(slack: FakeSlack, input: SlashCommandInput): Record<string, string> {
  const { bot } = slack.identity;
  const team = input.team ?? slack.identity.team;
  const user = slack.workspace.users.get(input.user);
  return {
    token: 'legacy-verification-token',
    team_id: team.id,
    team_domain: team.domain,
    channel_id: input.channel,
    channel_name: `name-of-${input.channel.toLowerCase()}`,
    user_id: input.user,
    user_name: user?.name ?? input.user.toLowerCase(),
    command: input.command,
    text: input.text,
    api_app_id: bot.appId,
    is_enterprise_install: 'false',
    response_url: slack.responseUrl(input.user),
    trigger_id: input.triggerId ?? unique(),
  };
}

export interface BlockActionInput {
  user: string;
  channel: string;
  /** The message whose button was pressed. */
  messageTs: string;
  actionId: string;
  value: string | undefined;
  triggerId?: string;
  /** The workspace the person acts from (an org-wide app serves several); default the fake's own team. */
  team?: { id: string; domain: string };
}

/** A block_actions payload for a button press on one of the bot's messages. */
export function blockActionPayload(slack: FakeSlack, input: BlockActionInput): Record<string, unknown> {
  const { bot } = slack.identity;
  const team = input.team ?? slack.identity.team;
  const message = slack.workspace.message(input.channel, input.messageTs);
  const user = slack.workspace.users.get(input.user);
  return {
    type: 'block_actions',
    user: { id: input.user, username: user?.name ?? input.user, name: user?.name ?? input.user, team_id: team.id },
    api_app_id: bot.appId,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    trigger_id: input.triggerId ?? unique(),
    team: { id: team.id, domain: team.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel, name: `name-of-${input.channel.toLowerCase()}` },
    message: message === undefined ? { type: 'message', ts: input.messageTs } : slack.workspace.render(message),
    state: { values: {} },
    response_url: slack.responseUrl(input.user),
    actions: [
      {
        action_id: input.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'button', emoji: true },
        ...(input.value === undefined ? {} : { value: input.value }),
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

export interface ReactionInput {
  user: string;
  reaction: string;
  channel: string;
  ts: string;
  eventId?: string;
  /** The workspace the person acts from (an org-wide app serves several); default the fake's own team. */
  team?: { id: string; domain: string };
}

/** The Events API body of reaction_added (the fake also records the reaction on the message). */
export function reactionAddedBody(slack: FakeSlack, input: ReactionInput): Record<string, unknown> {
  const { bot } = slack.identity;
  const team = input.team ?? slack.identity.team;
  const message = slack.workspace.message(input.channel, input.ts);
  if (message !== undefined) slack.workspace.react(message, input.reaction, input.user);
  const eventTime = Math.floor(Date.now() / 1000);
  return {
    token: 'legacy-verification-token',
    team_id: team.id,
    api_app_id: bot.appId,
    event: {
      type: 'reaction_added',
      user: input.user,
      reaction: input.reaction,
      item_user: message?.user ?? 'U_UNKNOWN',
      item: { type: 'message', channel: input.channel, ts: input.ts },
      event_ts: `${eventTime}.000100`,
    },
    type: 'event_callback',
    event_id: input.eventId ?? `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: eventTime,
    authorizations: [{ enterprise_id: null, team_id: team.id, user_id: bot.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}
