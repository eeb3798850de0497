/**
 * A job's status message is posted before its `ts` can be saved on the job's row; a process that
 * dies in between leaves a message (with a live Cancel button) that the row does not know. So
 * every status message carries the job id in its message metadata, and a job whose row has no
 * message is looked for in its channel's history (conversations.history, with the metadata)
 * around the time it was queued, before a new one is posted: the recovered job edits the message
 * people already see, and no dead one stays behind. Looking needs the `*:history` scopes; where
 * Slack refuses (a scope or channel missing), the job simply gets a new message.
 */
import type { Logger } from 'pino';
import type { Generation } from '../../generation/jobs/job.types.ts';
import { slackErrorCode } from './bug-report.ts';
import type { SlackClient } from './slack-client.types.ts';
import type { StatusMessageRef } from './status-messages.ts';

/** The metadata `event_type` of a job's status message. */
export const JOB_MESSAGE_EVENT = 'darkroom_job';

/** Metadata naming the job a status message shows. */
export function jobMetadata(jobId: string): { event_type: string; event_payload: { job_id: string } } {
  return { event_type: JOB_MESSAGE_EVENT, event_payload: { job_id: jobId } };
}

/** The handler posts the status message right after queueing; allow for clock skew and a slow Slack. */
const BEFORE_QUEUED_S = 120;
const AFTER_QUEUED_S = 600;
const PAGE_SIZE = 200;
const MAX_PAGES = 5;

interface HistoryMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  thread_ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export class StatusMessageFinder {
  constructor(
    private readonly client: SlackClient,
    /** The bot's own ids (from auth.test); only its messages count. */
    private readonly bot: () => { userId: string; botId: string } | undefined,
    private readonly logger: Logger,
  ) {}

  /** The job's status message in its channel, if one was posted; undefined when none (or Slack will not say). */
  async find(generation: Generation): Promise<StatusMessageRef | undefined> {
    const queued = generation.queuedAt.getTime() / 1000;
    const bot = this.bot();
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await this.client.conversations.history({
          channel: generation.channelId,
          oldest: (queued - BEFORE_QUEUED_S).toFixed(6),
          latest: (queued + AFTER_QUEUED_S).toFixed(6),
          inclusive: true,
          include_all_metadata: true,
          limit: PAGE_SIZE,
          ...(cursor === undefined ? {} : { cursor }),
        });
        const found = ((answer.messages ?? []) as HistoryMessage[]).find(
          (message) =>
            message.metadata?.event_type === JOB_MESSAGE_EVENT &&
            message.metadata.event_payload?.['job_id'] === generation.id &&
            (bot === undefined || message.bot_id === bot.botId || message.user === bot.userId),
        );
        if (found?.ts !== undefined) return { channel: generation.channelId, ts: found.ts, threadTs: undefined };
        cursor = answer.response_metadata?.next_cursor;
        if (!answer.has_more || !cursor) return undefined;
      }
      return undefined;
    } catch (error) {
      // A missing *:history scope, a closed channel: post a new message instead.
      this.logger.warn({ jobId: generation.id, error: slackErrorCode(error) ?? String(error) }, 'slack.status_message_search_failed');
      return undefined;
    }
  }
}
