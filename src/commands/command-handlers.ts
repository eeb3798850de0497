/**
 * One handler per command, platform-free: each takes a {@link ChatCommand} and where it came
 * from, calls the services and returns a {@link Reply}. Refusals become private replies in the
 * words of the refusal table; exceptions are bugs and go to the adapter's single catch-all.
 * Nothing here waits for a generation: a job is accepted (or refused) and the answer goes back.
 */
import type { GenerationService } from '../generation/jobs/generation.service.ts';
import type { ModerationService } from '../generation/moderation/moderation.service.ts';
import type { RefusalCode } from '../generation/requests/refusal.ts';
import type { RequestFrom } from '../generation/requests/request.types.ts';
import { historyReply, queueReply, settingsReply, usageReply } from './activity-replies.ts';
import type { JobButton } from './button-ids.ts';
import type { ChatCommand } from './chat-command.types.ts';
import { acceptedReply, finishedReply, regionPickerReply } from './generation-replies.ts';
import { parseImagineRequest } from './imagine-request.parser.ts';
import { cancelAnswer, deleteAnswer } from './job-change-replies.ts';
import { refusalReply, textReply, type Reply } from './reply.types.ts';

/** Jobs per history page. */
export const HISTORY_PAGE_SIZE = 10;
const DAY_MS = 86_400_000;
/** Jobs listed by /queue (a person has at most a few waiting). */
const QUEUE_LIST_LIMIT = 25;

export interface CommandServices {
  generation: GenerationService;
  moderation: ModerationService;
  /** Epoch milliseconds (usage windows). */
  now: () => number;
  /** Told the code of every refusal a command answers with (metrics); omitted = not counted. */
  refusals?: { refused(code: RefusalCode): void } | undefined;
}

/** The command a pressed job button stands for. */
export function commandForButton(target: JobButton): ChatCommand {
  const { generationId, imageIndex } = target;
  switch (target.action) {
    case 'reroll':
      return { name: 'reroll', generationId };
    case 'upscale':
      return { name: 'upscale', generationId, imageIndex: imageIndex ?? 0 };
    case 'vary':
    case 'vary-strong':
      return { name: 'vary', generationId, imageIndex: imageIndex ?? 0, strength: target.action === 'vary' ? 'subtle' : 'strong' };
    case 'delete':
      return { name: 'delete', generationId, imageIndex, reason: undefined };
    case 'cancel':
      return { name: 'cancel', generationId };
    // Custom Zoom opens a form where the platform has one (Discord); pressed elsewhere it zooms out 2×.
    case 'zoom-custom':
    case 'zoom2':
    case 'zoom15':
      return { name: 'edit', generationId, imageIndex: imageIndex ?? 0, edit: { kind: 'zoom', factor: target.action === 'zoom2' ? 2 : 1.5 } };
    case 'pan-left':
    case 'pan-right':
    case 'pan-up':
    case 'pan-down':
      return { name: 'edit', generationId, imageIndex: imageIndex ?? 0, edit: { kind: 'pan', direction: PAN[target.action] } };
    case 'region':
      return { name: 'region-picker', generationId, imageIndex: imageIndex ?? 0 };
    case 'region-cell':
      return { name: 'edit', generationId, imageIndex: imageIndex ?? 0, edit: { kind: 'region', cells: [target.cell ?? 5] } };
  }
}

const PAN = { 'pan-left': 'left', 'pan-right': 'right', 'pan-up': 'up', 'pan-down': 'down' } as const;

export class CommandHandlers {
  constructor(private readonly services: CommandServices) {}

  /**
   * Adapters call this before acting on a reaction or button press: true when this process is
   * the one to handle it (several processes may share the database and receive the same event).
   */
  claimEvent(key: string): Promise<boolean> {
    return this.services.generation.claimEvent(key);
  }

  async handle(command: ChatCommand, from: RequestFrom): Promise<Reply> {
    const reply = await this.#handle(command, from);
    if (reply.refusal !== undefined) this.services.refusals?.refused(reply.refusal.code);
    return reply;
  }

  async #handle(command: ChatCommand, from: RequestFrom): Promise<Reply> {
    const { generation, moderation } = this.services;
    switch (command.name) {
      case 'imagine': {
        const parsed = parseImagineRequest(command.options);
        if (!parsed.ok) return refusalReply(parsed);
        const outcome = await generation.imagine({ ...from, options: parsed.options });
        if (!outcome.ok) return refusalReply(outcome);
        return acceptedReply({ ...outcome, warnings: [...parsed.warnings, ...outcome.warnings] }, from.requester.identity);
      }
      case 'reroll':
        return this.#accepted(generation.reroll(command.generationId, from), from);
      case 'vary':
        return this.#accepted(generation.vary(command.generationId, command.imageIndex, command.strength, from), from);
      case 'upscale':
        return this.#accepted(generation.upscale(command.generationId, command.imageIndex, from), from);
      case 'edit':
        return this.#accepted(generation.edit(command.generationId, command.imageIndex, command.edit, from, { prompt: command.prompt }), from);
      case 'region-picker':
        return regionPickerReply(command.generationId, command.imageIndex);
      case 'cancel': {
        const outcome = await generation.cancel(command.generationId, from.requester, from.place);
        if (!outcome.ok) return refusalReply(outcome);
        return cancelAnswer(command.generationId, outcome.outcome);
      }
      case 'delete': {
        // ❌ on a job still waiting or running cancels it: the answer says so.
        const wasUnfinished = command.imageIndex === undefined && (await generation.position(command.generationId)) !== undefined;
        const outcome =
          command.imageIndex === undefined
            ? await generation.deleteGeneration(command.generationId, from.requester, from.place, command.reason)
            : await generation.deleteImage(command.generationId, command.imageIndex, from.requester, from.place, command.reason);
        if (!outcome.ok) return refusalReply(outcome);
        return deleteAnswer(command.generationId, command.imageIndex, outcome.deleted.length, wasUnfinished);
      }
      case 'show': {
        const outcome = await generation.show(command.generationId, from);
        if (!outcome.ok) return refusalReply(outcome);
        return finishedReply(outcome.generation, outcome.owner, outcome, []);
      }
      case 'settings': {
        if (Object.keys(command.changes).length === 0) return settingsReply(await generation.settings(from), false);
        const outcome = await generation.saveSettings(from, command.changes);
        return outcome.ok ? settingsReply(outcome.settings, true) : refusalReply(outcome);
      }
      case 'history': {
        const since = command.days === undefined ? undefined : new Date(this.services.now() - command.days * DAY_MS);
        const filter = { user: command.user, channelId: command.channelId, thisWorkspaceOnly: true, from: since, before: undefined, statuses: command.statuses };
        const page = await moderation.history(from, filter, { limit: HISTORY_PAGE_SIZE, after: command.cursor });
        if (!page.ok) return refusalReply(page);
        // Someone else's jobs (moderators): each line says who made it.
        const own = command.user !== undefined && command.user.platform === from.requester.identity.platform && command.user.externalId === from.requester.identity.externalId;
        const owners = own ? undefined : await moderation.owners(page.items.map((item) => item.userId));
        return historyReply(page.items, page.next, command.user?.externalId, owners);
      }
      case 'usage': {
        const since = new Date(this.services.now() - command.days * DAY_MS);
        const filter = { user: command.user, channelId: undefined, thisWorkspaceOnly: true, from: since, before: undefined, statuses: undefined };
        const usage = await moderation.usage(from, filter);
        return usage.ok ? usageReply(usage.summary, command.days) : refusalReply(usage);
      }
      case 'queue':
        return this.#queue(from);
      case 'ban':
      case 'unban': {
        const change = command.name === 'ban' ? moderation.ban.bind(moderation) : moderation.unban.bind(moderation);
        const outcome = await change(command.target, command.scope, from, command.reason);
        if (!outcome.ok) return refusalReply(outcome);
        const where = command.scope === 'global' ? 'everywhere' : 'here';
        return textReply(`${outcome.user.displayName} is ${command.name === 'ban' ? 'banned' : 'no longer banned'} ${where}.`, 'private');
      }
      case 'blocklist':
        return this.#blocklist(command, from);
    }
  }

  /** A derived job (reroll, vary, upscale) belongs to the person who pressed the button. */
  async #accepted(pending: ReturnType<GenerationService['reroll']>, from: RequestFrom): Promise<Reply> {
    const outcome = await pending;
    return outcome.ok ? acceptedReply(outcome, from.requester.identity) : refusalReply(outcome);
  }

  /** The asker's own unfinished jobs (any workspace), next to run first, with places and ETAs. */
  async #queue(from: RequestFrom): Promise<Reply> {
    const { generation, moderation } = this.services;
    const filter = { user: from.requester.identity, channelId: undefined, thisWorkspaceOnly: false, from: undefined, before: undefined, statuses: ['queued', 'running'] as const };
    const page = await moderation.history(from, filter, { limit: QUEUE_LIST_LIMIT, after: undefined });
    if (!page.ok) return refusalReply(page);
    const jobs = await Promise.all(page.items.map(async (item) => ({ generation: item, position: await generation.position(item.id) })));
    const place = (job: (typeof jobs)[number]) => job.position?.position ?? Number.MAX_SAFE_INTEGER;
    return queueReply(jobs.sort((a, b) => place(a) - place(b)));
  }

  async #blocklist(command: Extract<ChatCommand, { name: 'blocklist' }>, from: RequestFrom): Promise<Reply> {
    const { moderation } = this.services;
    if (command.action === 'list') {
      const terms = await moderation.listTerms(from);
      if (!terms.ok) return refusalReply(terms);
      const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.map((term) => `\`${term}\``).join(', '));
      return textReply(
        [`From the config: ${list(terms.config)}`, `Everywhere: ${list(terms.global.map((entry) => entry.term))}`, `This server: ${list(terms.workspace.map((entry) => entry.term))}`].join('\n'),
        'private',
      );
    }
    if (command.action === 'add') {
      const added = await moderation.blockTerm(command.term, command.scope, from, command.reason);
      if (!added.ok) return refusalReply(added);
      return textReply(added.added ? `Blocked \`${added.term}\`.` : `\`${added.term}\` was already blocked.`, 'private');
    }
    const removed = await moderation.unblockTerm(command.term, command.scope, from, command.reason);
    if (!removed.ok) return refusalReply(removed);
    return textReply(removed.removed ? `Unblocked \`${command.term.trim()}\`.` : `\`${command.term.trim()}\` was not blocked.`, 'private');
  }
}
