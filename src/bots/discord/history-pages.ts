/**
 * /history as one private message paged in place with ◀ Previous / Next ▶. "Next" goes to the
 * reply's `nextPage` (its button id carries the keyset cursor and the person filtered on). Going
 * back needs the cursors of the pages before, which do not fit in a button id: they are kept per
 * message in memory, with the filters (channel, days). After a restart a page still works from
 * its button alone; Previous then returns to the first page and the channel/days filters drop.
 */
import { formatButtonId, type ChatCommand, type CommandHandlers, type HistoryPage, type Reply, type ReplyButton } from '../../commands/index.ts';
import type { RequestFrom } from '../../generation/requests/request.types.ts';
import type { ComponentCommand } from './interaction-commands.ts';

type HistoryCommand = Extract<ChatCommand, { name: 'history' }>;

interface PageState {
  command: HistoryCommand;
  /** Cursor of each page after the first that led to the one shown. */
  cursors: Array<HistoryPage['cursor']>;
}

/** Listings remembered (oldest forgotten first). */
const REMEMBERED = 500;

export class HistoryPages {
  readonly #pages = new Map<string, PageState>();

  constructor(private readonly commands: CommandHandlers) {}

  /** The first page's reply with Next ▶ (no Previous). */
  firstPage(reply: Reply, command: HistoryCommand): Reply {
    return withPaging(reply, command.user?.externalId, false);
  }

  remember(messageId: string, command: HistoryCommand): void {
    this.#pages.set(messageId, { command, cursors: [] });
    for (const oldest of this.#pages.keys()) {
      if (this.#pages.size <= REMEMBERED) break;
      this.#pages.delete(oldest);
    }
  }

  /** The page after or before the one shown in the message. */
  async turn(messageId: string, press: Exclude<ComponentCommand, { kind: 'job' | 'form' }>, from: RequestFrom): Promise<Reply> {
    const user = press.userExternalId === undefined ? undefined : { platform: 'discord' as const, externalId: press.userExternalId, displayName: press.userExternalId };
    const state = this.#pages.get(messageId) ?? {
      command: { name: 'history' as const, user, channelId: undefined, statuses: undefined, cursor: undefined, days: undefined },
      cursors: [],
    };
    if (press.kind === 'history-next') state.cursors.push(press.cursor);
    else state.cursors.pop();
    const reply = await this.commands.handle({ ...state.command, cursor: state.cursors.at(-1) }, from);
    this.#pages.set(messageId, state);
    return withPaging(reply, press.userExternalId, state.cursors.length > 0);
  }
}

function withPaging(reply: Reply, userExternalId: string | undefined, hasPrevious: boolean): Reply {
  const row: ReplyButton[] = [];
  if (hasPrevious) row.push({ id: formatButtonId({ action: 'history-back', userExternalId }), label: '◀ Previous', style: 'secondary' });
  if (reply.nextPage !== undefined) row.push({ id: formatButtonId({ action: 'history-next', ...reply.nextPage }), label: 'Next ▶', style: 'secondary' });
  return { ...reply, buttons: row.length === 0 ? [] : [row] };
}
