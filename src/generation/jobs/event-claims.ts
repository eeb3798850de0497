/**
 * Each reaction or button press is handled once across every process on the database: the
 * adapter claims the event's key before acting, and only the first claim wins. Old claims are
 * pruned now and then (a platform never delivers an event again after a day).
 */
import type { Logger } from 'pino';
import type { ChatEventClaimRepository } from '../../db/chat-event-claim.repository.ts';

/** How long a claim is kept: far longer than any platform's redelivery (Slack's last retry comes after 5 minutes). */
export const EVENT_CLAIM_TTL_MS = 24 * 3_600_000;
/** Least time between two prunes by one process. */
const PRUNE_EVERY_MS = 3_600_000;

export interface EventClaimsOptions {
  claims: ChatEventClaimRepository;
  /** This process's owner id. */
  owner: string;
  /** Epoch milliseconds. */
  now: () => number;
  logger: Logger;
}

export class EventClaims {
  #lastPrune = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: EventClaimsOptions) {}

  /** True when this process is the first to claim `key`. */
  async claim(key: string): Promise<boolean> {
    const claimed = await this.options.claims.claim(key, this.options.owner);
    if (!claimed) this.options.logger.info({ eventKey: key }, 'event.already_claimed');
    this.#pruneNowAndThen();
    return claimed;
  }

  #pruneNowAndThen(): void {
    const now = this.options.now();
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    this.options.claims.pruneOlderThan(new Date(now - EVENT_CLAIM_TTL_MS)).then(
      (removed) => this.options.logger.debug({ removed }, 'event.claims_pruned'),
      (error: unknown) => this.options.logger.warn({ err: error }, 'event.claims_prune_failed'),
    );
  }
}
