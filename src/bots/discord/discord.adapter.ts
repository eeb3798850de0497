/**
 * The Discord adapter (a {@link ChatAdapter}): the only code that talks to Discord (through
 * discord.js). It logs in, registers the slash commands in bulk (per guild when guild ids are
 * configured, else globally), turns interactions and reactions into commands, and the service's
 * lifecycle events (`events`, handed to the GenerationService) into edits of each job's message.
 * One catch-all: a bug becomes a short apology with a reference id, and the stack goes to the log.
 */
import { Client, Events, GatewayIntentBits, MessageFlags, Partials, Routes, type Interaction } from 'discord.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../config/config.types.ts';
import type { ModelDirectory } from '../../generation/requests/model-directory.ts';
import { newReferenceId, refuse } from '../../generation/requests/refusal.ts';
import type { GenerationEvents } from '../../generation/jobs/job.types.ts';
import type { ChatApiObserver } from '../../observability/chat-api-observer.ts';
import type { ChatAdapter, ChatAdapterOptions, ChatConnection } from '../chat-adapter.ts';
import { EditPacer } from './edit-pacer.ts';
import { InteractionFlow } from './interaction-flow.ts';
import { DiscordJobSender } from './job-message.sender.ts';
import { JobMessages } from './job-messages.ts';
import { RateLimitFeedback } from './rate-limit-feedback.ts';
import { JobCopies } from './job-copies.ts';
import { ReactionFlow } from './reaction-flow.ts';
import type { CompactPicture } from './result-upload.ts';
import { UploadLimits } from './upload-limits.ts';
import { WorkLimiter } from './work-limiter.ts';
import type { ModeratorConfig } from './request-context.ts';
import { slashCommands } from './slash-commands.ts';
import { DISCORD_TOKEN_REFUSED, classifyDiscordStartFailure } from './start-failure.ts';

/**
 * Least time from the end of one message edit in a channel to the start of the next (Discord:
 * about 5 per 5 s per channel; 5 s / 5 plus a margin for clock granularity).
 */
export const EDIT_GAP_MS = 1_050;
/** Handlers doing database work at once, after their acknowledgement (see WorkLimiter). */
const HANDLERS_AT_ONCE = 4;

export interface DiscordAdapterOptions extends ChatAdapterOptions {
  config: Pick<DiscordConfig, 'token' | 'apiUrl' | 'guildIds' | 'allowDMs'>;
  moderators: ModeratorConfig;
  models: ModelDirectory;
  /** Makes a result's picture fit a guild's upload limit (src/images `compactPicture`). */
  compactPicture: CompactPicture;
  /** Told about REST answers with an error status, 429s included (metrics); omitted = not reported. */
  apiObserver?: ChatApiObserver | undefined;
}

export class DiscordAdapter implements ChatAdapter {
  readonly name = 'discord';
  readonly connection: ChatConnection;
  readonly #client: Client;
  readonly #jobs: JobMessages;
  readonly #interactions: InteractionFlow;
  readonly #reactions: ReactionFlow;
  readonly #log: Logger;
  /** Work in progress on interactions and reactions (awaited at stop). */
  readonly #inFlight = new Set<Promise<void>>();
  #accepting = false;
  /** Logged in and not yet stopped. */
  #connected = false;
  #markReady: () => void = () => undefined;
  /** Client listeners added (by the first start). */
  #subscribed = false;

  constructor(private readonly options: DiscordAdapterOptions) {
    this.#log = options.logger;
    this.connection = { platform: 'Discord', apiUrl: options.config.apiUrl, refusedMessage: () => DISCORD_TOKEN_REFUSED, classify: classifyDiscordStartFailure };
    this.#client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
      partials: [Partials.Message, Partials.Reaction, Partials.User, Partials.Channel],
      rest: { api: options.config.apiUrl },
    });
    const pacer = new EditPacer(EDIT_GAP_MS, options.now, (ms) => sleep(ms));
    const ready = new Promise<void>((resolve) => (this.#markReady = resolve));
    const rateLimits = new RateLimitFeedback(pacer, options.now);
    rateLimits.attach(this.#client.rest);
    this.#client.rest.on('response', (_request, response) => {
      if (response.status >= 400) options.apiObserver?.apiError(response.status);
    });
    const sender = new DiscordJobSender({ client: this.#client, ready, attachMessage: (id, chat) => options.jobs.attachMessage(id, chat), now: options.now, logger: options.logger, rateLimits, uploads: new UploadLimits(), compactPicture: options.compactPicture });
    this.#jobs = new JobMessages({ sender, pacer, logger: options.logger });
    const limiter = new WorkLimiter(HANDLERS_AT_ONCE);
    const copies = new JobCopies(this.#client, options.logger);
    const shared = { commands: options.commands, jobs: this.#jobs, copies, moderators: options.moderators, allowDMs: options.config.allowDMs, limiter };
    this.#interactions = new InteractionFlow({ ...shared, models: options.models, logger: options.logger });
    this.#reactions = new ReactionFlow({ ...shared, client: this.#client });
  }

  /** Lifecycle listener for the GenerationService (jobs of other platforms are ignored). */
  get events(): GenerationEvents {
    return this.#jobs;
  }

  /** Logged in, commands registered, the gateway connected now, and not stopped (readiness). */
  get connected(): boolean {
    return this.#connected && this.#client.isReady();
  }

  readiness(): string | undefined {
    return this.connected ? undefined : 'not connected to the Discord gateway';
  }

  /**
   * Logs in, waits for the gateway to be ready, and registers the commands. May be called again
   * after it rejected (start-up retries network failures): listeners are added once, and a
   * client that is already logged in is not logged in twice.
   */
  async start(): Promise<void> {
    const { token, guildIds, allowDMs } = this.options.config;
    if (token === undefined) throw new Error('DISCORD_TOKEN is not set');
    if (!this.#subscribed) {
      this.#subscribed = true;
      this.#client.on(Events.InteractionCreate, (interaction) => this.#track(this.#onInteraction(interaction)));
      this.#client.on(Events.MessageReactionAdd, (reaction, user) => {
        if (this.#accepting) this.#track(this.#safely('reaction', undefined, () => this.#reactions.handle(reaction, user)));
      });
      this.#client.on(Events.Error, (error) => this.#log.error({ err: error }, 'discord.client_error'));
    }
    if (!this.#client.isReady()) {
      // Token and network first, over REST alone: a failed discord.js login leaves its gateway
      // manager behind (the process then never exits), so start-up retries this call, not login.
      this.#client.rest.setToken(token);
      await this.#client.rest.get(Routes.gatewayBot());
      const ready = new Promise<void>((resolve) => this.#client.once(Events.ClientReady, () => resolve()));
      await this.#client.login(token);
      await ready;
    }
    const applicationId = this.#client.application?.id;
    if (applicationId === undefined) throw new Error('Discord did not say which application this bot is');
    // Straight to REST: discord.js would rewrite the permission integers into strings.
    const commands = slashCommands({ allowDMs });
    if (guildIds.length === 0) await this.#client.rest.put(Routes.applicationCommands(applicationId), { body: commands });
    for (const guildId of guildIds) await this.#client.rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body: commands });
    this.#accepting = true;
    this.#connected = true;
    this.#markReady();
    this.#log.info({ user: this.#client.user?.tag, scope: guildIds.length === 0 ? 'global' : guildIds, commands: commands.length }, 'discord.ready');
  }

  /**
   * Stops taking interactions and reactions, but stays connected, so jobs that finish while the
   * service shuts down still reach their messages. Call before stopping the GenerationService,
   * then {@link disconnect} after it. (Handlers already running finish before the disconnect.)
   */
  async stopTakingWork(): Promise<void> {
    this.#accepting = false;
  }

  /** Stops taking work, lets running handlers and message edits finish (until `deadline`), logs out. */
  async disconnect(deadline?: AbortSignal): Promise<void> {
    this.#accepting = false;
    if (!this.#connected) {
      // Never logged in (or already stopped): nothing can be sent.
      await this.#client.destroy();
      return;
    }
    this.#connected = false;
    const drained = Promise.all([...this.#inFlight]).then(() => this.#jobs.flush());
    if (deadline === undefined) await drained;
    else await Promise.race([drained, new Promise<void>((resolve) => (deadline.aborted ? resolve() : deadline.addEventListener('abort', () => resolve(), { once: true })))]);
    await this.#client.destroy();
    this.#log.info('discord.stopped');
  }

  async #onInteraction(interaction: Interaction): Promise<void> {
    if (!this.#accepting) return;
    await this.#safely('interaction', interaction, () => this.#interactions.handle(interaction));
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  /** The one catch-all: apologise with a reference id, log the details under it. */
  async #safely(kind: string, interaction: Interaction | undefined, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const referenceId = newReferenceId();
      this.#log.error({ err: error, referenceId, kind, interactionId: interaction?.id }, 'discord.handler_failed');
      if (interaction === undefined || !interaction.isRepliable()) return;
      const apology = { content: refuse('internal', { referenceId }).message, flags: MessageFlags.Ephemeral as const };
      try {
        if (interaction.deferred && !interaction.replied && interaction.ephemeral === true) await interaction.editReply({ content: apology.content });
        else if (interaction.deferred && !interaction.replied) {
          // A public "thinking…" placeholder: replace it with a private apology.
          await interaction.deleteReply().catch(() => undefined);
          await interaction.followUp(apology);
        } else if (interaction.replied) await interaction.followUp(apology);
        else await interaction.reply(apology);
      } catch (replyError) {
        this.#log.warn({ err: replyError, referenceId }, 'discord.apology_failed');
      }
    }
  }
}
