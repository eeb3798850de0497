/**
 * Button and reaction ids carry only ids: `<action>:<generationId>:<imageIndex>` (the index is
 * 0-based and omitted for actions on the whole job). Everything else is read from the database
 * when the button is pressed, so buttons keep working after restarts. Ids are checked on the way
 * in: a forged id parses to undefined.
 */
export const BUTTON_ACTIONS = ['reroll', 'upscale', 'vary', 'vary-strong', 'delete', 'cancel'] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

export interface ButtonTarget {
  action: ButtonAction;
  generationId: string;
  /** undefined = the whole job. */
  imageIndex: number | undefined;
}

const PATTERN = /^(reroll|upscale|vary-strong|vary|delete|cancel):([A-Za-z0-9_-]{1,64})(?::([0-3]))?$/;

export function formatButtonId(target: ButtonTarget): string {
  return target.imageIndex === undefined ? `${target.action}:${target.generationId}` : `${target.action}:${target.generationId}:${target.imageIndex}`;
}

export function parseButtonId(id: string): ButtonTarget | undefined {
  const match = PATTERN.exec(id);
  if (match === null) return undefined;
  const action = match[1] as ButtonAction;
  const imageIndex = match[3] === undefined ? undefined : Number(match[3]);
  const needsIndex = action === 'upscale' || action === 'vary' || action === 'vary-strong';
  if (needsIndex && imageIndex === undefined) return undefined;
  return { action, generationId: match[2] as string, imageIndex };
}
