/**
 * One interaction, start to finish: acknowledge first (defer, within Discord's 3 seconds, before
 * any database work), then native event → ChatCommand → command handler → Reply → message.
 * Public commands (/imagine, /show, U/V/🔄) defer publicly; when the answer is a refusal, the
 * public placeholder is deleted and the explanation follows privately. An accepted job's answer
 * becomes the job's message, which lifecycle events edit from then on.
 */
import { MessageFlags, type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction, type ModalSubmitInteraction, type StringSelectMenuInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { acceptedJobId, refusalReply, type CommandHandlers, type Reply } from '../../commands/index.ts';
import type { ModelDirectory } from '../../generation/requests/model-directory.ts';
import { refuse } from '../../generation/requests/refusal.ts';
import type { RequestFrom } from '../../generation/requests/request.types.ts';
import { HistoryPages } from './history-pages.ts';
import { PUBLIC_COMMANDS, componentCommand, modalCommand, slashCommand, type ComponentCommand } from './interaction-commands.ts';
import type { JobCopies } from './job-copies.ts';
import type { JobMessages } from './job-messages.ts';
import type { WorkLimiter } from './work-limiter.ts';
import { messagePayload } from './reply-payload.ts';
import { channelNsfw, memberFacts, requestFrom, type ModeratorConfig } from './request-context.ts';

type Repliable = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction | ModalSubmitInteraction;

export interface InteractionFlowOptions {
  commands: CommandHandlers;
  /** Each job's message and its /show copies. */
  jobs: JobMessages;
  /** Cancel and delete reach every message of a job. */
  copies: JobCopies;
  models: ModelDirectory;
  moderators: ModeratorConfig;
  allowDMs: boolean;
  /** Handlers' work after the acknowledgement (shared with reactions). */
  limiter: WorkLimiter;
  logger: Logger;
}

/** Autocomplete offers at most 25 choices. */
const MAX_CHOICES = 25;
/** Components whose answer is a new public job message ('region' answers privately with its grid picker). */
const JOB_ACTIONS: ReadonlySet<string> = new Set(['reroll', 'upscale', 'vary', 'vary-strong', 'zoom2', 'zoom15', 'pan-left', 'pan-right', 'pan-up', 'pan-down', 'region-cell']);

export class InteractionFlow {
  readonly #history: HistoryPages;

  constructor(private readonly options: InteractionFlowOptions) {
    this.#history = new HistoryPages(options.commands);
  }

  async handle(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return this.#autocomplete(interaction);
    if (interaction.isChatInputCommand()) return this.#slash(interaction);
    if (interaction.isButton() || interaction.isStringSelectMenu()) return this.#component(interaction);
    if (interaction.isModalSubmit()) return this.#modal(interaction);
  }

  /** A submitted edit form (Custom Zoom, a region's new prompt): a new public job, like a job button. */
  async #modal(interaction: ModalSubmitInteraction): Promise<void> {
    const field = (name: string) => (interaction.fields.fields.has(name) ? interaction.fields.getTextInputValue(name) : undefined);
    const command = modalCommand(interaction.customId, field);
    if (command === undefined) {
      await interaction.reply({ ...messagePayload(refusalReply(refuse('forbidden', { action: 'use this form any more', allowed: 'no one' })), undefined), flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.deferReply();
    await this.options.limiter.run(async () => {
      const refused = this.#placeRefusal(interaction);
      if (refused !== undefined) return this.#answer(interaction, refused, true);
      if (!(await this.options.commands.claimEvent(`discord:interaction:${interaction.id}`))) {
        await interaction.deleteReply();
        return;
      }
      await this.#answer(interaction, await this.options.commands.handle(command, this.#from(interaction)), true);
    });
  }

  async #slash(interaction: ChatInputCommandInteraction): Promise<void> {
    const isPublic = PUBLIC_COMMANDS.has(interaction.commandName);
    await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
    await this.options.limiter.run(() => this.#slashWork(interaction, isPublic));
  }

  async #slashWork(interaction: ChatInputCommandInteraction, isPublic: boolean): Promise<void> {
    const refused = this.#placeRefusal(interaction);
    if (refused !== undefined) return this.#answer(interaction, refused, isPublic);
    const command = slashCommand(interaction);
    if (command === undefined) {
      const unknown = refuse('invalid_option', { problem: 'unknown', option: `/${interaction.commandName}`, known: ['/imagine', '/settings', '/show', '/queue'] });
      return this.#answer(interaction, refusalReply(unknown), isPublic);
    }
    const from = this.#from(interaction);
    if (command.name === 'history') {
      const reply = await this.options.commands.handle(command, from);
      const message = await interaction.editReply(messagePayload(this.#history.firstPage(reply, command), undefined));
      this.#history.remember(message.id, command);
      return;
    }
    await this.#answer(interaction, await this.options.commands.handle(command, from), isPublic);
  }

  async #component(interaction: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
    const parsed = componentCommand(interaction.customId, interaction.isStringSelectMenu() ? interaction.values : []);
    if (parsed === undefined) {
      await interaction.reply({ ...messagePayload(refusalReply(refuse('forbidden', { action: 'use this button any more', allowed: 'no one' })), undefined), flags: MessageFlags.Ephemeral });
      return;
    }
    if (parsed.kind === 'form') {
      // A form must be the first answer (no deferral before it).
      await interaction.showModal(parsed.modal);
      return;
    }
    if (parsed.kind !== 'job') {
      await interaction.deferUpdate();
      await this.options.limiter.run(async () => {
        const page = await this.#history.turn(interaction.message.id, parsed, this.#from(interaction));
        await interaction.editReply(messagePayload(page, undefined));
      });
      return;
    }
    const isPublic = JOB_ACTIONS.has(parsed.action);
    await interaction.deferReply(isPublic ? {} : { flags: MessageFlags.Ephemeral });
    await this.options.limiter.run(() => this.#componentWork(interaction, parsed, isPublic));
  }

  async #componentWork(interaction: ButtonInteraction | StringSelectMenuInteraction, parsed: Extract<ComponentCommand, { kind: 'job' }>, isPublic: boolean): Promise<void> {
    const refused = this.#placeRefusal(interaction);
    if (refused !== undefined) return this.#answer(interaction, refused, isPublic);
    // Handled once across every bot process on the database.
    if (!(await this.options.commands.claimEvent(`discord:interaction:${interaction.id}`))) {
      await interaction.deleteReply();
      return;
    }
    const reply = await this.options.commands.handle(parsed.command, this.#from(interaction));
    await this.#answer(interaction, reply, isPublic);
    if (reply.jobChange !== undefined) {
      // Cancel or ❌ on the job's message or on a /show copy: every message of the job shows it.
      await this.options.copies.changed(reply.jobChange, { channelId: interaction.message.channelId, messageId: interaction.message.id }, this.options.jobs);
    } else if (interaction.isStringSelectMenu() && reply.refusal === undefined) {
      // The image picker has done its job.
      await interaction.message.delete();
    }
  }

  async #autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    if (focused.name !== 'model') {
      await interaction.respond([]);
      return;
    }
    const typed = String(focused.value).trim().toLowerCase();
    const models = await this.options.models.list();
    const matching = models.filter((model) => model.name.toLowerCase().includes(typed));
    await interaction.respond(matching.slice(0, MAX_CHOICES).map((model) => ({ name: model.name, value: model.name })));
  }

  /** Sends the first answer; an accepted job's answer goes through its job message. */
  async #answer(interaction: Repliable, reply: Reply, deferredPublic: boolean): Promise<void> {
    const jobId = acceptedJobId(reply);
    if (jobId !== undefined && interaction.channelId !== null) {
      const target = { kind: 'interaction' as const, token: interaction.token, issuedAt: interaction.createdTimestamp, messageId: undefined };
      this.options.jobs.accepted(jobId, interaction.channelId, interaction.user.id, target, reply);
      return;
    }
    if (reply.visibility === 'private' && deferredPublic) {
      await interaction.deleteReply();
      await interaction.followUp({ ...messagePayload(reply, undefined), flags: MessageFlags.Ephemeral });
      return;
    }
    const message = await interaction.editReply(messagePayload(reply, undefined));
    // A /show copy of a job: remembered, so cancel and delete reach it too.
    if (reply.result !== undefined) this.options.jobs.rememberCopy(reply.result.generation.id, { channelId: message.channelId, messageId: message.id });
  }

  /** Direct messages, when the config does not allow them. */
  #placeRefusal(interaction: Repliable): Reply | undefined {
    if (interaction.inGuild() || this.options.allowDMs) return undefined;
    return refusalReply(refuse('forbidden', { action: 'use Darkroom in direct messages here', allowed: 'no one' }));
  }

  #from(interaction: Repliable): RequestFrom {
    const permissions = interaction.memberPermissions?.bitfield;
    const member = memberFacts(interaction.member as Parameters<typeof memberFacts>[0], permissions);
    return requestFrom(
      interaction.user,
      member,
      { guild: interaction.guild, guildId: interaction.guildId, channelId: interaction.channelId ?? '', nsfw: channelNsfw(interaction.channel), interactionToken: interaction.token },
      this.options.moderators,
    );
  }
}
