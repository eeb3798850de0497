/**
 * Where a job's Slack status message is. The message itself is kept up to date through the
 * platform-free job-message book (../job-message-book.ts); after a restart its place comes from
 * the job's row (`chat.messageId`, `chat.threadTs`).
 */

/** Where a status message is. */
export interface StatusMessageRef {
  channel: string;
  ts: string;
  /** The thread the status message itself is in; undefined when it is top-level. */
  threadTs: string | undefined;
}

/** The thread where a job's images go: the status message's own thread, or the one it is in. */
export function imageThread(ref: StatusMessageRef): string {
  return ref.threadTs ?? ref.ts;
}
