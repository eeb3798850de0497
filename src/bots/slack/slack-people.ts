/**
 * Who is asking and where, as the generation service wants it. Moderators are the user ids in
 * the config, or workspace admins and owners as `users.info` says (scope `users:read`). Answers
 * from `users.info` are kept for ten minutes, so a burst of commands costs one call per person
 * (the method allows about 100 calls a minute), and concurrent lookups share one call.
 */
import type { Logger } from 'pino';
import type { ChatIdentity, RequestFrom } from '../../generation/requests/index.ts';

/** The part of the Web API this needs. */
export interface UsersInfoClient {
  users: { info(arguments_: { user: string }): Promise<{ ok?: boolean; user?: SlackUserInfo }> };
}

interface SlackUserInfo {
  name?: string;
  real_name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  profile?: { display_name?: string; real_name?: string };
}

export interface SlackPerson {
  displayName: string;
  /** Workspace admin or owner. */
  admin: boolean;
}

/** Where a request came from, as found in Slack's payloads. */
export interface SlackOrigin {
  userId: string;
  /** The user name the payload carried, used when users.info fails. */
  userName: string | undefined;
  teamId: string;
  channelId: string;
}

export interface SlackPeopleOptions {
  client: UsersInfoClient;
  moderatorUserIds: readonly string[];
  nsfwChannels: readonly string[];
  /** Team id → name (from auth.test); other teams are named by their id. */
  teamName: (teamId: string) => string;
  cacheMs: number;
  now: () => number;
  logger: Logger;
}

export class SlackPeople {
  readonly #cache = new Map<string, { until: number; person: Promise<SlackPerson> }>();

  constructor(private readonly options: SlackPeopleOptions) {}

  /** The person behind a user id (users.info, cached). Falls back to the id when Slack does not answer. */
  person(userId: string, fallbackName: string | undefined): Promise<SlackPerson> {
    const now = this.options.now();
    const cached = this.#cache.get(userId);
    if (cached !== undefined && cached.until > now) return cached.person;
    const person = this.#lookUp(userId, fallbackName);
    this.#cache.set(userId, { until: now + this.options.cacheMs, person });
    return person;
  }

  async identity(userId: string, fallbackName: string | undefined): Promise<ChatIdentity> {
    const person = await this.person(userId, fallbackName);
    return { platform: 'slack', externalId: userId, displayName: person.displayName };
  }

  async requestFrom(origin: SlackOrigin): Promise<RequestFrom> {
    const person = await this.person(origin.userId, origin.userName);
    return {
      requester: {
        identity: { platform: 'slack', externalId: origin.userId, displayName: person.displayName },
        platformModerator: person.admin || this.options.moderatorUserIds.includes(origin.userId),
      },
      place: {
        workspace: { platform: 'slack', externalId: origin.teamId, name: this.options.teamName(origin.teamId) },
        channelId: origin.channelId,
        chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
        // Slack has no NSFW flag on channels: the config lists the channels that allow it.
        nsfwAllowed: this.options.nsfwChannels.includes(origin.channelId),
      },
    };
  }

  async #lookUp(userId: string, fallbackName: string | undefined): Promise<SlackPerson> {
    try {
      const answer = await this.options.client.users.info({ user: userId });
      const user = answer.user ?? {};
      const displayName = user.profile?.display_name || user.profile?.real_name || user.real_name || user.name || fallbackName || userId;
      return { displayName, admin: user.is_admin === true || user.is_owner === true };
    } catch (error) {
      // Not cached: the next request asks again.
      this.#cache.delete(userId);
      this.options.logger.warn({ err: error, userId }, 'slack.users_info_failed');
      return { displayName: fallbackName || userId, admin: false };
    }
  }
}
