/**
 * What a command answers, for every platform: text with light Markdown (`**bold**`, `` `code` ``,
 * which Discord renders and the Slack adapter converts), images, and rows of buttons whose ids
 * carry only ids (see button-ids.ts). What the reply means travels as data (`job`, `nextPage`,
 * `result`, `jobChange`), so adapters only render: they never read meaning back out of buttons.
 */
import type { Generation } from '../db/domain.types.ts';
import type { HistoryPage } from './button-ids.ts';
import type { Refusal } from '../generation/requests/refusal.ts';
import type { Delivery } from '../generation/jobs/job.types.ts';

export interface ReplyButton {
  /** A {@link ButtonTarget} as text; see formatButtonId in button-ids.ts. */
  id: string;
  label: string;
  style: 'primary' | 'secondary' | 'success' | 'danger';
}

export interface ReplyAttachment {
  /** File name with extension (`abc123-grid.png`). */
  name: string;
  bytes: Buffer;
  /** Hide behind a click (Discord spoiler): blurred NSFW stand-ins. */
  spoiler: boolean;
  /** Alt text. */
  description: string;
}

/** A finished job as shown, for platforms that render its details themselves (Discord embeds, the originals next to the grid). */
export interface FinishedResult {
  generation: Generation;
  delivery: Delivery;
}

/** The job a reply shows, and which moment of its life (the job-message book orders updates by it). */
export interface ReplyJob {
  generationId: string;
  /** accepted = the handler's first answer; queued = a (new) place in the queue; the rest as named. */
  state: 'accepted' | 'queued' | 'started' | 'progress' | 'finished' | 'failed' | 'cancelled';
  /** The progress step (0 for the other states). */
  step: number;
}

/** What a cancel or ❌ did to a whole job: adapters then update every message that shows it. */
export interface JobChange {
  generationId: string;
  /** cancelled = it had not finished (its messages say cancelled); deleted = its images are gone. */
  change: 'cancelled' | 'deleted';
}

export interface Reply {
  /** private = only the person who asked sees it (ephemeral). */
  visibility: 'private' | 'public';
  text: string;
  attachments: ReplyAttachment[];
  /** Rows of buttons (at most 5 per row, 5 rows, as Discord allows). */
  buttons: ReplyButton[][];
  /** The refusal this reply explains, if any. */
  refusal: Refusal | undefined;
  /**
   * Set on a finished job's result (live or re-posted with /show). Optional so replies built
   * before this field existed stay valid; absent means undefined.
   */
  result?: FinishedResult | undefined;
  /** Set on the answer to a cancel or a whole-job ❌ that went through. Optional like `result`. */
  jobChange?: JobChange | undefined;
  /** Set on every message of a job's life and on a re-shown result. Optional like `result`. */
  job?: ReplyJob | undefined;
  /** A history page with more after it: where the next one starts. Optional like `result`. */
  nextPage?: HistoryPage | undefined;
  /**
   * Vary (Region)'s grid picker (issue 15): the image whose cells the buttons pick. Platforms with
   * multi-select menus offer one too (`pick-region`). Optional like `result`.
   */
  regionPicker?: { generationId: string; imageIndex: number } | undefined;
}

/** The job a reply accepted (its message is the job's message from now on); undefined for any other reply. */
export function acceptedJobId(reply: Reply): string | undefined {
  if (reply.refusal !== undefined || reply.visibility !== 'public' || reply.job?.state !== 'accepted') return undefined;
  return reply.job.generationId;
}

/** A plain text reply. */
export function textReply(text: string, visibility: Reply['visibility']): Reply {
  return { visibility, text, attachments: [], buttons: [], refusal: undefined, result: undefined };
}

/** A refusal, privately, in the words of the refusal table. */
export function refusalReply(refusal: Refusal): Reply {
  return { visibility: 'private', text: refusal.message, attachments: [], buttons: [], refusal, result: undefined };
}
