import type { HistoryCursor } from './generation.repository.ts';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A cursor as short text for a chat button id: `<queuedAt ms in base 36>.<generation id>`
 * (about 21 characters).
 */
export function formatHistoryCursor(cursor: HistoryCursor): string {
  return `${cursor.queuedAt.getTime().toString(36)}.${cursor.id}`;
}

/** Reads {@link formatHistoryCursor}'s text; undefined when it is not one (button ids can be forged). */
export function parseHistoryCursor(text: string): HistoryCursor | undefined {
  const dot = text.indexOf('.');
  if (dot <= 0) return undefined;
  const stamp = text.slice(0, dot);
  const id = text.slice(dot + 1);
  if (!/^[0-9a-z]{1,12}$/.test(stamp) || !ID_PATTERN.test(id)) return undefined;
  const millis = Number.parseInt(stamp, 36);
  const queuedAt = new Date(millis);
  return Number.isNaN(queuedAt.getTime()) ? undefined : { queuedAt, id };
}
