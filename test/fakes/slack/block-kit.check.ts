/**
 * The Block Kit limits Slack enforces on `blocks` (chat.postMessage / chat.update answer
 * `invalid_blocks` when one is broken), from Slack's Block Kit reference: at most 50 blocks,
 * section text 1–3000 characters and ≤ 10 fields of ≤ 2000, a context block 1–10 elements of
 * ≤ 2000 characters, a header's plain text ≤ 150, an actions block holds 1–25 elements, a
 * button's text ≤ 75, `action_id` ≤ 255 and unique within a message, `value` ≤ 2000, `style`
 * only primary/danger, `block_id` ≤ 255. The message's own `text` may hold 40,000 characters.
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
    const blockId = block['block_id'];
    if (blockId !== undefined && (typeof blockId !== 'string' || blockId.length > 255)) problems.push(`${where}: bad block_id`);
    const checkText = (text: unknown, max: number, what: string) => {
      const content = textOf(text);
      if (content === undefined || content === '') problems.push(`${where}: empty ${what}`);
      else if (content.length > max) problems.push(`${where}: ${what} of ${content.length} characters (max ${max})`);
      if (isObject(text) && text['type'] !== 'mrkdwn' && text['type'] !== 'plain_text') problems.push(`${where}: text type ${String(text['type'])}`);
    };
    if (block['type'] === 'section') {
      const fields = block['fields'];
      if (block['text'] !== undefined || fields === undefined) checkText(block['text'], 3000, 'text');
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length === 0 || fields.length > 10) problems.push(`${where}: needs 1–10 fields`);
        else for (const field of fields) checkText(field, 2000, 'field');
      }
      return;
    }
    if (block['type'] === 'context') {
      const elements = block['elements'];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) return problems.push(`${where}: needs 1–10 elements`);
      for (const element of elements) checkText(element, 2000, 'element text');
      return;
    }
    if (block['type'] === 'header') {
      checkText(block['text'], 150, 'header text');
      if (isObject(block['text']) && block['text']['type'] !== 'plain_text') problems.push(`${where}: header text must be plain_text`);
      return;
    }
    if (block['type'] === 'divider') return;
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
