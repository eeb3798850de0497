/**
 * Reply text uses light Markdown (`**bold**`, `` `code` ``), which Discord renders as is. Slack's
 * mrkdwn differs: bold is `*bold*`, and `&`, `<`, `>` must be escaped, otherwise text a person
 * typed (a prompt with `<!channel>` or `<@U123>`) would turn into a ping or a link.
 */

/** Escapes the three characters Slack treats as control characters. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The text of a slash command as the person typed it: Slack sends `&`, `<` and `>` as
 * `&amp;`, `&lt;` and `&gt;` (its own markup, such as escaped mentions, keeps real brackets).
 */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Light Markdown → Slack mrkdwn, escaped. Code spans are kept verbatim (no bold inside them). */
export function toMrkdwn(text: string): string {
  return escapeSlackText(text)
    .split(/(`[^`\n]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\*\*(\S(?:[^*]*\S)?)\*\*/g, '*$1*')))
    .join('');
}

/** Splits text into pieces of at most `max` characters, at line breaks where possible. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    if (current !== '') pieces.push(current);
    current = line;
    while (current.length > max) {
      pieces.push(current.slice(0, max));
      current = current.slice(max);
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}
