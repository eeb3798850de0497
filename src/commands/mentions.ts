/**
 * People named in reply text ("**a cat** for @Alice"). The command layer does not know how a
 * platform writes a mention, so it writes a token that each adapter renders (Discord `<@id>`,
 * Slack `<@U…>`) and anything else shows as the person's display name. The token is framed by
 * private-use characters that are removed from every text a person typed (prompts, names), so a
 * prompt can never forge a mention.
 */
import type { Platform } from '../db/domain.types.ts';

const OPEN = '\uE000';
const SEPARATOR = '\uE001';
const CLOSE = '\uE002';
const MARKS = /[\uE000-\uE002]/g;
const TOKEN = /\uE000([a-z]+)\uE001([^\uE000-\uE002]*)\uE001([^\uE000-\uE002]*)\uE002/g;

/** Someone a reply names. */
export interface MentionedPerson {
  platform: Platform;
  externalId: string;
  displayName: string;
}

/** Text a person typed, with the token marks taken out. */
export function withoutMentionMarks(text: string): string {
  return text.replace(MARKS, '');
}

/** The token naming `person` in reply text. */
export function mention(person: MentionedPerson): string {
  return `${OPEN}${person.platform}${SEPARATOR}${withoutMentionMarks(person.externalId)}${SEPARATOR}${withoutMentionMarks(person.displayName)}${CLOSE}`;
}

/** Replaces every mention token in `text` with what `render` makes of the person. */
export function renderMentions(text: string, render: (person: MentionedPerson) => string): string {
  return text.replace(TOKEN, (_token, platform: string, externalId: string, displayName: string) =>
    render({ platform: platform as Platform, externalId, displayName }),
  );
}

/** Reply text for places that cannot mention: every token becomes the display name. */
export function plainMentions(text: string): string {
  return renderMentions(text, (person) => person.displayName);
}
