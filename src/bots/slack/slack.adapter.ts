/**
 * The Slack adapter (a {@link ChatAdapter}): the only code that talks to @slack/bolt. It acknowledges every slash
 * command, button and reaction at once (Slack gives 3 seconds), then does the work: the
 * platform-free command handlers decide, {@link JobMessages} keeps each job's status message
 * and results up to date from the service's lifecycle events. Socket Mode when an app token is
 * configured, else Slack's signed HTTP requests on `config.port`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, BlockAction, ButtonAction, MultiStaticSelectAction, RespondFn, SlashCommand } from '@slack/bolt';
import type { Logger } from 'pino';
import { BUTTON_ID_PREFIX, type Reply } from '../../commands/index.ts';
import type { SlackConfig } from '../../config/config.types.ts';
import type { GenerationEvents } from '../../generation/jobs/index.ts';
import type { ChatApiObserver } from '../../observability/chat-api-observer.ts';
import type { ChatAdapter, ChatAdapterOptions, ChatConnection } from '../chat-adapter.ts';
import { RecentDeliveries } from './delivery-dedupe.ts';
import { JobMessages } from './job-messages.ts';
import { renderReply } from './slack-blocks.ts';
import { unescapeSlackText } from './slack-mrkdwn.ts';
import { createSlackApp } from './slack-app.factory.ts';
import { SlackInteractions, type PrivateAnswer } from './slack-interactions.ts';
import { SlackPeople } from './slack-people.ts';
import { classifySlackStartFailure, slackTokenRefused } from './start-failure.ts';

export interface SlackAdapterOptions extends ChatAdapterOptions {
  config: SlackConfig;
  /** Slack user ids that moderate (besides workspace admins and owners). */
  moderatorUserIds: readonly string[];
  /** Channel ids where NSFW images are allowed. */
  nsfwChannels: readonly string[];
  /** HTTP mode: the address to listen on; undefined = every interface. */
  listenHost: string | undefined;
  /** Socket Mode ping timeout (also the pause before reconnecting); undefined = the client's 5 s. */
  socketPingTimeoutMs: number | undefined;
  /** Told about the Web API's error answers, 429s included (metrics); omitted = not reported. */
  apiObserver?: ChatApiObserver | undefined;
}

/** Repeated deliveries are recognised for an hour (see delivery-dedupe.ts). */
const DELIVERY_TTL_MS = 60 * 60 * 1000;
const PEOPLE_CACHE_MS = 10 * 60 * 1000;
/** Of Slack's ~50 chat.update calls a minute, the share progress edits may use. */
const PROGRESS_EDITS_PER_MINUTE = 30;

function ephemeral(respond: RespondFn, replaceOriginal: boolean | undefined): PrivateAnswer {
  return async (reply: Reply) => {
    await respond({ response_type: 'ephemeral', ...renderReply(reply), ...(replaceOriginal === undefined ? {} : { replace_original: replaceOriginal }) });
  };
}

export class SlackAdapter implements ChatAdapter {
  readonly name = 'slack';
  readonly connection: ChatConnection;
  readonly #app: App;
  readonly #jobs: JobMessages;
  readonly #interactions: SlackInteractions;
  readonly #log: Logger;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #teamNames = new Map<string, string>();
  #bot: { userId: string; botId: string } | undefined;
  #server: Server | undefined;
  /** Started and not stopped (readiness). */
  #running = false;

  constructor(private readonly options: SlackAdapterOptions) {
    this.#log = options.logger;
    this.connection = { platform: 'Slack', apiUrl: options.config.apiUrl, refusedMessage: (error) => slackTokenRefused(error, options.config.mode), classify: classifySlackStartFailure };
    this.#app = createSlackApp({ config: options.config, logger: options.logger, socketPingTimeoutMs: options.socketPingTimeoutMs, apiObserver: options.apiObserver });
    const client = this.#app.client;
    this.#jobs = new JobMessages({
      client,
      jobs: options.jobs,
      progressEditsPerMinute: PROGRESS_EDITS_PER_MINUTE,
      now: options.now,
      bot: () => this.#bot,
      logger: options.logger,
    });
    const people = new SlackPeople({
      client,
      moderatorUserIds: options.moderatorUserIds,
      nsfwChannels: options.nsfwChannels,
      teamName: (teamId) => this.#teamNames.get(teamId) ?? teamId,
      cacheMs: PEOPLE_CACHE_MS,
      now: options.now,
      logger: options.logger,
    });
    this.#interactions = new SlackInteractions({
      client,
      handlers: options.commands,
      withdraw: (generationId, from) => options.jobs.withdraw(generationId, from),
      people,
      jobs: this.#jobs,
      deliveries: new RecentDeliveries(DELIVERY_TTL_MS, options.now),
      bot: () => {
        if (this.#bot === undefined) throw new Error('the Slack adapter has not started');
        return this.#bot;
      },
      logger: options.logger,
    });
    this.#listen();
  }

  /** The service's lifecycle events for Slack jobs (give them to the GenerationService). */
  get events(): GenerationEvents {
    return this.#jobs;
  }

  /** Started (token checked, connected or listening) and not stopped. */
  get connected(): boolean {
    return this.#running;
  }

  readiness(): string | undefined {
    return this.#running ? undefined : 'not connected to Slack';
  }

  /** HTTP mode: the port it listens on once started. */
  get httpPort(): number | undefined {
    return (this.#server?.address() as AddressInfo | null | undefined)?.port;
  }

  /** Checks the bot token (auth.test), then connects (Socket Mode) or listens (HTTP). */
  async start(): Promise<void> {
    await this.#app.init();
    const auth = await this.#app.client.auth.test();
    if (auth.user_id === undefined || auth.bot_id === undefined) throw new Error('auth.test did not name the bot (is SLACK_BOT_TOKEN a bot token?)');
    this.#bot = { userId: auth.user_id, botId: auth.bot_id };
    if (auth.team_id !== undefined && auth.team !== undefined) this.#teamNames.set(auth.team_id, auth.team);
    const { config } = this.options;
    if (config.mode === 'socket') {
      await this.#app.start();
    } else {
      this.#server = (await this.#app.start({ port: config.port, ...(this.options.listenHost ? { host: this.options.listenHost } : {}) })) as Server;
    }
    this.#running = true;
    this.#log.info({ mode: config.mode, team: auth.team, botUserId: auth.user_id, port: this.httpPort }, 'slack.started');
  }

  /**
   * Stops taking requests, then lets the requests being handled and the status updates being
   * sent finish (until `deadline` aborts). Jobs that finish later (the service stops after the
   * adapters) still get their results posted while the process lives.
   */
  async stopTakingWork(deadline: AbortSignal): Promise<void> {
    this.#running = false;
    await this.#app.stop().catch((error: unknown) => this.#log.warn({ err: error }, 'slack.stop_failed'));
    this.#server = undefined;
    const drained = (async () => {
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      await this.#jobs.idle();
    })();
    await Promise.race([drained, new Promise((resolve) => deadline.addEventListener('abort', resolve, { once: true }))]);
    this.#log.info({ unfinishedRequests: this.#inFlight.size, jobsTracked: this.#jobs.tracked }, 'slack.stopped');
  }

  /**
   * Waits (until `deadline` aborts) for the Slack updates of every job so far: the composition
   * root calls it after the generation service has stopped, so the result of a job that finished
   * during shutdown is posted before the database closes. The Web API client holds no connection
   * to close; Bolt's receiver stopped in {@link stopTakingWork}.
   */
  async disconnect(deadline: AbortSignal): Promise<void> {
    await Promise.race([this.#jobs.idle(), new Promise((resolve) => deadline.addEventListener('abort', resolve, { once: true }))]);
  }

  /** Runs work after the ack, and remembers it until it is done (for a graceful stop). */
  #track(work: Promise<void>): Promise<void> {
    this.#inFlight.add(work);
    return work.finally(() => this.#inFlight.delete(work));
  }

  #listen(): void {
    const app = this.#app;
    const slash = (command: SlashCommand) => ({
      text: unescapeSlackText(command.text),
      triggerId: command.trigger_id,
      origin: { userId: command.user_id, userName: command.user_name, teamId: command.team_id, channelId: command.channel_id },
    });
    app.command('/imagine', async ({ ack, command, respond, context }) => {
      await ack();
      await this.#track(this.#interactions.imagine(slash(command), ephemeral(respond, undefined), context.retryNum));
    });
    app.command('/darkroom', async ({ ack, command, respond, context }) => {
      await ack();
      await this.#track(this.#interactions.darkroom(slash(command), ephemeral(respond, undefined), context.retryNum));
    });
    app.action<BlockAction<ButtonAction | MultiStaticSelectAction>>({ type: 'block_actions', action_id: BUTTON_ID_PREFIX }, async ({ ack, body, action, respond }) => {
      await ack();
      const channelId = body.channel?.id ?? String(body.container['channel_id'] ?? '');
      const messageTs = body.message?.ts;
      const input = {
        actionId: action.action_id,
        // Vary (Region)'s multi-select: the picked cells, comma-separated.
        value: action.type === 'multi_static_select' ? action.selected_options.map((option) => option.value).join(',') : action.value,
        triggerId: body.trigger_id,
        origin: { userId: body.user.id, userName: body.user.username, teamId: body.team?.id ?? body.user.team_id ?? '', channelId },
        message: messageTs === undefined ? undefined : { channel: channelId, ts: messageTs, threadTs: body.message?.['thread_ts'] as string | undefined },
      };
      await this.#track(this.#interactions.button(input, ephemeral(respond, false)));
    });
    app.event('reaction_added', async ({ event, body, context }) => {
      if (event.item.type !== 'message') return;
      const input = {
        eventId: body.event_id,
        reaction: event.reaction,
        itemUser: event.item_user,
        messageTs: event.item.ts,
        origin: { userId: event.user, userName: undefined, teamId: body.team_id, channelId: event.item.channel },
      };
      await this.#track(this.#interactions.reaction(input, context.retryNum));
    });
    app.error(async (error) => {
      // Errors outside our handlers (Bolt's own middleware); ours never reach here (see the catch-all).
      this.#log.error({ err: error }, 'slack.bolt_error');
    });
  }
}
