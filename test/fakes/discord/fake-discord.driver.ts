/**
 * What a test does as the people in the fake Discord: run slash commands (only registered ones,
 * with their registered option types), press buttons that are on a message, pick from select
 * menus, type into autocomplete, add reactions; then wait for the bot's answers.
 */
import type { FakeInteraction, FakeUser, StoredMessage } from './fake-discord.types.ts';
import type { FakeDiscordWorld } from './fake-discord.world.ts';
import type { FakeGateway } from './fake-gateway.ts';
import { commandOptions, interactionBase, renderMember, type OptionValue, type RegisteredCommand } from './interaction-payloads.ts';
import { SCENE } from './fake-discord.scene.ts';

export interface Where {
  user: FakeUser;
  /** Default: the general channel of the default scene. */
  channelId?: string;
}

export interface ComponentInfo {
  type: number;
  customId: string;
  label: string | undefined;
  disabled: boolean;
  options: Array<{ label: string; value: string }>;
}

export class FakeDiscordDriver {
  constructor(
    readonly world: FakeDiscordWorld,
    readonly gateway: FakeGateway,
  ) {}

  /** Commands registered for a guild (or `global`). */
  registered(scope: string): RegisteredCommand[] {
    return this.world.commands.get(scope) ?? [];
  }

  /** Runs `/name [subcommand…] option:value…`. */
  slash(name: string, values: Readonly<Record<string, OptionValue>>, where: Where & { subcommand?: string[] }): FakeInteraction {
    return this.#command(name, values, where, where.subcommand ?? [], undefined);
  }

  /** Types into an autocomplete option; resolves with the choices the bot offered. */
  async autocomplete(name: string, values: Readonly<Record<string, OptionValue>>, focused: string, where: Where): Promise<unknown[]> {
    const interaction = this.#command(name, values, where, [], focused);
    const answered = await this.waitFor(`autocomplete answer for /${name}`, () => (interaction.choices === undefined ? undefined : interaction.choices));
    return answered;
  }

  /** Presses a button (by custom_id or label) that is on the message. */
  press(message: StoredMessage, button: { customId: string } | { label: string }, user: FakeUser): FakeInteraction {
    const current = this.world.messages.get(message.id);
    if (current === undefined) throw new Error(`message ${message.id} is gone`);
    const found = components(current).find((component) =>
      component.type === 2 && ('customId' in button ? component.customId === button.customId : component.label === button.label),
    );
    if (found === undefined) throw new Error(`no button ${JSON.stringify(button)} on message ${message.id}: ${components(current).map((c) => c.label ?? c.customId).join(', ')}`);
    if (found.disabled) throw new Error(`button ${found.customId} is disabled`);
    return this.#component(current, { custom_id: found.customId, component_type: 2 }, user);
  }

  /**
   * Fills in and submits the modal the bot answered `shown` with (text inputs by custom_id);
   * throws when it showed none or the modal has no such field.
   */
  async submitModal(shown: FakeInteraction, values: Readonly<Record<string, string>>, user: FakeUser): Promise<FakeInteraction> {
    const modal = await this.waitFor(`a modal answering interaction ${shown.id}`, () => shown.modal);
    const fields = modal.components.flatMap((row) => row.components);
    for (const name of Object.keys(values)) if (!fields.some((field) => field.custom_id === name)) throw new Error(`modal ${modal.custom_id} has no field ${name}`);
    const components = fields.map((field) => ({ type: 1, components: [{ type: 4, custom_id: field.custom_id, value: values[field.custom_id] ?? '' }] }));
    const message = shown.componentMessageId === undefined ? undefined : this.world.messages.get(shown.componentMessageId);
    return this.#dispatch(user, shown.channelId, 5, message, { custom_id: modal.custom_id, components });
  }

  /** Picks values from a select menu on the message. */
  select(message: StoredMessage, customId: string, values: string[], user: FakeUser): FakeInteraction {
    const current = this.world.messages.get(message.id);
    if (current === undefined) throw new Error(`message ${message.id} is gone`);
    const menu = components(current).find((component) => component.type === 3 && component.customId === customId);
    if (menu === undefined) throw new Error(`no select menu ${customId} on message ${message.id}`);
    for (const value of values) if (!menu.options.some((option) => option.value === value)) throw new Error(`select ${customId} has no option ${value}`);
    return this.#component(current, { custom_id: customId, component_type: 3, values }, user);
  }

  /** Adds a reaction as a person (MESSAGE_REACTION_ADD). */
  react(message: StoredMessage, emoji: string, user: FakeUser): void {
    message.reactions.push({ emoji, userId: user.id });
    const guild = message.guildId === undefined ? undefined : this.world.guilds.get(message.guildId);
    this.gateway.dispatch('MESSAGE_REACTION_ADD', {
      user_id: user.id,
      channel_id: message.channelId,
      message_id: message.id,
      ...(guild === undefined ? {} : { guild_id: guild.id, member: renderMember(guild, user, false) }),
      emoji: { id: null, name: emoji },
      message_author_id: message.authorId,
      burst: false,
      burst_colors: [],
      type: 0,
    });
    this.world.changed();
  }

  /** Resolves with the probe's first defined answer; re-checks on every change and every 50 ms. */
  waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 45_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let value: T | undefined;
        try {
          value = probe();
        } catch (error) {
          finish();
          reject(error as Error);
          return;
        }
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const onChange = () => check();
      const ticker = setInterval(check, 50);
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const finish = () => {
        clearInterval(ticker);
        clearTimeout(timer);
        this.world.changes.off('change', onChange);
      };
      this.world.changes.on('change', onChange);
      check();
    });
  }

  /** The `@original` message once the bot has answered (and, with a test, once it passes). */
  original(interaction: FakeInteraction, test: (message: StoredMessage) => boolean = () => true, what = 'the original response'): Promise<StoredMessage> {
    return this.waitFor(`${what} of interaction ${interaction.id}`, () => {
      const message = interaction.originalMessageId === undefined ? undefined : this.world.messages.get(interaction.originalMessageId);
      return message !== undefined && test(message) ? message : undefined;
    });
  }

  /** A live message in a channel that passes the test. */
  message(channelId: string, test: (message: StoredMessage) => boolean, what: string): Promise<StoredMessage> {
    return this.waitFor(what, () => this.world.channelMessages(channelId).find(test));
  }

  #command(name: string, values: Readonly<Record<string, OptionValue>>, where: Where, path: readonly string[], focused: string | undefined): FakeInteraction {
    const channel = this.world.channel(where.channelId ?? SCENE.general);
    const guild = channel.guildId === undefined ? undefined : this.world.guilds.get(channel.guildId);
    const scoped = guild === undefined ? undefined : this.world.commands.get(guild.id)?.find((command) => command.name === name);
    const command = scoped ?? this.world.commands.get('global')?.find((candidate) => candidate.name === name);
    if (command === undefined) throw new Error(`/${name} is not registered${guild ? ` in guild ${guild.id}` : ''}`);
    const { options, resolved } = commandOptions(command, path, values, focused, guild);
    return this.#dispatch(where.user, channel.id, focused === undefined ? 2 : 4, undefined, {
      id: command.id,
      name: command.name,
      type: 1,
      options,
      ...(resolved === undefined ? {} : { resolved }),
      ...(scoped !== undefined && guild !== undefined ? { guild_id: guild.id } : {}),
    });
  }

  #component(message: StoredMessage, data: Record<string, unknown>, user: FakeUser): FakeInteraction {
    return this.#dispatch(user, message.channelId, 3, message, data);
  }

  #dispatch(user: FakeUser, channelId: string, type: 2 | 3 | 4 | 5, message: StoredMessage | undefined, data: Record<string, unknown>): FakeInteraction {
    const channel = this.world.channel(channelId);
    const guild = channel.guildId === undefined ? undefined : this.world.guilds.get(channel.guildId);
    const id = this.world.clock.snowflake();
    const token = `itoken-${id}-${Math.random().toString(36).slice(2)}`;
    const payload = {
      ...interactionBase({ id, token, applicationId: this.world.options.applicationId, user, channel, guild }, type),
      data,
      ...(message === undefined ? {} : { message: this.world.renderMessage(message) }),
    };
    const interaction: FakeInteraction = {
      id,
      token,
      type,
      userId: user.id,
      channelId,
      guildId: guild?.id,
      payload,
      componentMessageId: message?.id,
      createdAt: this.world.clock.now(),
      dispatchedAt: performance.now(),
      callbackAt: undefined,
      ackedAt: undefined,
      callbackType: undefined,
      choices: undefined,
      originalMessageId: undefined,
    };
    this.world.interactions.set(id, interaction);
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return interaction;
  }
}

/** Buttons and select menus of a message, flattened from its action rows. */
export function components(message: StoredMessage): ComponentInfo[] {
  const rows = message.components as Array<{ components?: Array<Record<string, unknown>> }>;
  return rows.flatMap((row) =>
    (row.components ?? []).map((component) => ({
      type: Number(component['type']),
      customId: String(component['custom_id'] ?? ''),
      label: typeof component['label'] === 'string' ? component['label'] : typeof (component['emoji'] as { name?: string } | undefined)?.name === 'string' ? (component['emoji'] as { name: string }).name : undefined,
      disabled: component['disabled'] === true,
      options: ((component['options'] as Array<{ label: string; value: string }> | undefined) ?? []).map((option) => ({ label: option.label, value: option.value })),
    })),
  );
}
