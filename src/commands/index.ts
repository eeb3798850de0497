/**
 * Platform-free commands: request parsing (slash options + prompt flags), one handler per
 * command, reply models, button ids, and the messages of a job's life. Adapters use only this
 * folder and the service types.
 */
export { historyReply, queueReply, settingsReply, usageReply } from './activity-replies.ts';
export { BUTTON_ID_PREFIX, EDIT_ACTIONS, JOB_ACTIONS, MAX_BUTTON_ID, formatButtonId, isJobButton, parseButtonId, parseJobButtonId } from './button-ids.ts';
export type { ButtonTarget, EditAction, HistoryPage, JobAction, JobButton } from './button-ids.ts';
export type { ChatCommand } from './chat-command.types.ts';
export { CommandHandlers, HISTORY_PAGE_SIZE, commandForButton } from './command-handlers.ts';
export type { CommandServices } from './command-handlers.ts';
export { MAX_WARNINGS_SHOWN, acceptedReply, cancelledReply, failedReply, finishedReply, formatEta, progressReply, queuedReply, startedReply, warningLines } from './generation-replies.ts';
export { KNOWN_FLAGS, parseImagineRequest, promptOnly } from './imagine-request.parser.ts';
export { mention, plainMentions, renderMentions, withoutMentionMarks } from './mentions.ts';
export type { MentionedPerson } from './mentions.ts';
export type { SlashImagineOptions } from './imagine-request.parser.ts';
export { PROMPT_FLAGS, extractFlags } from './prompt-flags.parser.ts';
export { acceptedJobId, refusalReply, textReply } from './reply.types.ts';
export type { FinishedResult, JobChange, Reply, ReplyAttachment, ReplyButton, ReplyJob } from './reply.types.ts';
export { REFUSAL_CODES, refuse, refusalMessage, newReferenceId, isRefusal } from '../generation/requests/refusal.ts';
export type { Refusal, RefusalCode, RefusalDetails } from '../generation/requests/refusal.ts';
