import { Prisma, type PrismaClient } from './generated/client.ts';
import type { BlockedTerm, Clock } from './domain.types.ts';
import { nullable, toBlockedTerm } from './prisma-mappers.ts';

/**
 * The form a term is stored and compared in for uniqueness: invisible format characters (zero-width
 * space, soft hyphen, word joiner…; the tokenizer drops them) removed, Unicode NFKC (full-width and
 * ligature forms fold to plain letters), lower case, trimmed, inner whitespace collapsed to one space.
 */
export function normalizeBlockedTerm(term: string): string {
  return term.replace(/\p{Cf}/gu, '').normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

export type AddBlockedTermResult =
  | { ok: true; term: BlockedTerm }
  | { ok: false; code: 'already_blocked'; existing: BlockedTerm | undefined }
  | { ok: false; code: 'empty_term' };

/** Terms refused in prompts, per workspace (`workspaceId`) or everywhere (`undefined`). */
export interface BlockedTermRepository {
  add(entry: { workspaceId: string | undefined; term: string; createdById: string | undefined }): Promise<AddBlockedTermResult>;
  /** Removes the term (matched after normalization) from exactly that scope. False if absent. */
  remove(workspaceId: string | undefined, term: string): Promise<boolean>;
  /** Terms of exactly one scope (undefined = the global list), oldest first. */
  list(workspaceId: string | undefined): Promise<BlockedTerm[]>;
  /** What applies in a workspace: global terms plus its own, oldest first. DMs: pass undefined. */
  listEffective(workspaceId: string | undefined): Promise<BlockedTerm[]>;
}

export class PrismaBlockedTermRepository implements BlockedTermRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async add(entry: {
    workspaceId: string | undefined;
    term: string;
    createdById: string | undefined;
  }): Promise<AddBlockedTermResult> {
    const normalizedTerm = normalizeBlockedTerm(entry.term);
    if (normalizedTerm === '') return { ok: false, code: 'empty_term' };
    try {
      const row = await this.prisma.blockedTerm.create({
        data: {
          workspaceId: nullable(entry.workspaceId),
          term: entry.term.trim(),
          normalizedTerm,
          createdById: nullable(entry.createdById),
          createdAt: this.now(),
        },
      });
      return { ok: true, term: toBlockedTerm(row) };
    } catch (error) {
      // The unique indexes (one per workspace, a partial one for global terms) decide, so two
      // moderators adding the same term at once cannot both succeed.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
      const existing = await this.prisma.blockedTerm.findFirst({
        where: { workspaceId: nullable(entry.workspaceId), normalizedTerm },
      });
      return { ok: false, code: 'already_blocked', existing: existing ? toBlockedTerm(existing) : undefined };
    }
  }

  async remove(workspaceId: string | undefined, term: string): Promise<boolean> {
    const { count } = await this.prisma.blockedTerm.deleteMany({
      where: { workspaceId: nullable(workspaceId), normalizedTerm: normalizeBlockedTerm(term) },
    });
    return count > 0;
  }

  async list(workspaceId: string | undefined): Promise<BlockedTerm[]> {
    const rows = await this.prisma.blockedTerm.findMany({
      where: { workspaceId: nullable(workspaceId) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toBlockedTerm);
  }

  async listEffective(workspaceId: string | undefined): Promise<BlockedTerm[]> {
    const scopes = workspaceId === undefined ? [{ workspaceId: null }] : [{ workspaceId: null }, { workspaceId }];
    const rows = await this.prisma.blockedTerm.findMany({
      where: { OR: scopes },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toBlockedTerm);
  }
}
