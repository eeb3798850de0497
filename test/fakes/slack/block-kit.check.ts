/**
 * The Block Kit limits Slack enforces on `blocks` (chat.postMessage / chat.update answer
 * `invalid_blocks` when one is broken), from Slack's Block Kit reference: at most 50 blocks,
 * section text ≤ 3000 characters, an actions block holds ≤ 25 elements, a button's text ≤ 75,
 * `action_id` ≤ 255 and unique within a message, `value` ≤ 2000, `style` only primary/danger.
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  return isObject(value) && typeof value['text'] === 'string' ? value['text'] : undefined;
}

/** Problems with a message's blocks, in words; empty when Slack would take them. */
export function blockKitProblems(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  const problems: string[] = [];
  if (blocks.length > 50) problems.push(`${blocks.length} blocks (max 50)`);
  const actionIds = new Set<string>();
  blocks.forEach((block, blockIndex) => {
    if (!isObject(block)) return problems.push(`block ${blockIndex} is not an object`);
    const where = `block ${blockIndex} (${String(block['type'])})`;
    if (block['type'] === 'section' || block['type'] === 'context') {
      const texts = block['type'] === 'section' ? [block['text']] : ((block['elements'] as unknown[] | undefined) ?? []);
      for (const text of texts) {
        const content = textOf(text);
        if (content === undefined || content === '') problems.push(`${where}: empty text`);
        else if (content.length > 3000) problems.push(`${where}: text of ${content.length} characters (max 3000)`);
        if (isObject(text) && text['type'] !== 'mrkdwn' && text['type'] !== 'plain_text') problems.push(`${where}: text type ${String(text['type'])}`);
      }
      return;
    }
    if (block['type'] !== 'actions') return problems.push(`${where}: unexpected block type`);
    const elements = block['elements'];
    if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) return problems.push(`${where}: needs 1–25 elements`);
    for (const element of elements) {
      if (!isObject(element) || element['type'] !== 'button') {
        problems.push(`${where}: only buttons expected`);
        continue;
      }
      const actionId = element['action_id'];
      const label = textOf(element['text']);
      if (typeof actionId !== 'string' || actionId.length === 0 || actionId.length > 255) problems.push(`${where}: bad action_id`);
      else if (actionIds.has(actionId)) problems.push(`${where}: duplicate action_id ${actionId}`);
      else actionIds.add(actionId);
      if (!isObject(element['text']) || element['text']['type'] !== 'plain_text') problems.push(`${where}: button text must be plain_text`);
      if (label === undefined || label.length === 0 || label.length > 75) problems.push(`${where}: button text must be 1–75 characters`);
      const value = element['value'];
      if (value !== undefined && (typeof value !== 'string' || value.length > 2000)) problems.push(`${where}: bad value`);
      const style = element['style'];
      if (style !== undefined && style !== 'primary' && style !== 'danger') problems.push(`${where}: style ${String(style)}`);
    }
  });
  return problems;
}
