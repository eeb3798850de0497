import { describe, expect, it } from 'vitest';
import { fileIdsFromDeleteValue, renderReply } from '../../../src/bots/slack/slack-blocks.ts';
import { escapeSlackText, splitText, toMrkdwn, unescapeSlackText } from '../../../src/bots/slack/slack-mrkdwn.ts';
import { formatButtonId, mention, type Reply, type ReplyButton } from '../../../src/commands/index.ts';
import { blockKitProblems } from '../../fakes/slack/index.ts';

function reply(text: string, buttons: ReplyButton[][] = []): Reply {
  return { visibility: 'public', text, attachments: [], buttons, refusal: undefined };
}

const ID = 'V1StGXR8_Z5j';
const button = (action: 'upscale' | 'vary' | 'vary-strong' | 'reroll' | 'delete' | 'cancel', imageIndex?: number, style: ReplyButton['style'] = 'secondary'): ReplyButton => ({
  id: formatButtonId({ action, generationId: ID, imageIndex }),
  label: 'x',
  style,
});

describe('light Markdown to Slack mrkdwn', () => {
  it('turns **bold** into *bold* and leaves code spans alone', () => {
    expect(toMrkdwn('**a red barn** for Alice: `seed 42`')).toBe('*a red barn* for Alice: `seed 42`');
    expect(toMrkdwn('`**not bold**` but **this**')).toBe('`**not bold**` but *this*');
  });

  it('escapes &, < and > so a prompt can never ping a channel or make a link', () => {
    expect(escapeSlackText('<!channel> & <@U123>')).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(toMrkdwn('**<!here> cats**')).toBe('*&lt;!here&gt; cats*');
  });

  it('reads slash command text back as typed (Slack escapes &, < and >), and escaping round-trips', () => {
    expect(unescapeSlackText('fish &amp; chips &lt;3 &gt; &amp;lt;')).toBe('fish & chips <3 > &lt;');
    const typed = 'a <b> & <!here> &amp; c';
    expect(unescapeSlackText(escapeSlackText(typed))).toBe(typed);
  });

  it('splits long text at line breaks, never above the limit', () => {
    const lines = Array.from({ length: 50 }, (_, n) => `line ${n} ${'x'.repeat(90)}`);
    const pieces = splitText(lines.join('\n'), 1000);
    expect(pieces.every((piece) => piece.length <= 1000)).toBe(true);
    expect(pieces.join('\n')).toBe(lines.join('\n'));
    expect(splitText('y'.repeat(2500), 1000).map((piece) => piece.length)).toEqual([1000, 1000, 500]);
  });
});

describe('renderReply', () => {
  it('makes a result with four images into valid Block Kit with Slack labels and id-only values', () => {
    const rows = [
      [0, 1, 2, 3].map((index) => button('upscale', index)),
      [0, 1, 2, 3].map((index) => button('vary', index)),
      [button('reroll', undefined, 'primary'), button('delete', undefined, 'danger')],
    ];
    const body = renderReply(reply('**a fox** for Bob\nseed 7', rows), ['F0001', 'F0002', 'F0003', 'F0004']);
    expect(blockKitProblems(body.blocks)).toEqual([]);
    expect(body.text).toBe('*a fox* for Bob\nseed 7');
    const buttons = body.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    expect(buttons.map((element) => element.text.text)).toEqual([
      'Upscale 1', 'Upscale 2', 'Upscale 3', 'Upscale 4', 'Vary 1', 'Vary 2', 'Vary 3', 'Vary 4', '🔄 Reroll', '❌ Delete',
    ]);
    expect(buttons[2]).toEqual({ type: 'button', action_id: `upscale:${ID}:2`, value: `upscale:${ID}:2`, text: { type: 'plain_text', text: 'Upscale 3', emoji: true } });
    expect(buttons.map((element) => element.style)).toEqual([...Array(8).fill(undefined), 'primary', 'danger']);
    // The Delete button carries the Slack files to remove, and nothing else.
    expect(buttons[9]?.value).toBe('F0001,F0002,F0003,F0004');
    expect(fileIdsFromDeleteValue(buttons[9]?.value)).toEqual(['F0001', 'F0002', 'F0003', 'F0004']);
  });

  it('a Delete button without files keeps its id; ids are not mistaken for files', () => {
    const body = renderReply(reply('x', [[button('delete')], [button('cancel'), button('vary-strong', 1)]]));
    const buttons = body.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    expect(buttons.map((element) => [element.value, element.text.text])).toEqual([
      [`delete:${ID}`, '❌ Delete'],
      [`cancel:${ID}`, 'Cancel'],
      [`vary-strong:${ID}:1`, 'Vary 2 (strong)'],
    ]);
    expect(fileIdsFromDeleteValue(`delete:${ID}`)).toEqual([]);
  });

  it('keeps a history "More" button with its own label, and splits a very long text into valid sections', () => {
    const text = Array.from({ length: 120 }, (_, n) => `\`job${n}\` 2026-01-01 12:00 UTC · succeeded · ${'a prompt '.repeat(4)}`).join('\n');
    const body = renderReply(reply(text, [[{ id: 'history:abc.def', label: 'More', style: 'secondary' }]]));
    expect(blockKitProblems(body.blocks)).toEqual([]);
    expect(body.blocks.filter((block) => block.type === 'section').length).toBeGreaterThan(1);
    expect(body.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'history:abc.def', text: { text: 'More' } }] });
  });

  it('keeps within Block Kit whatever the reply holds: 11,000 warning lines, 30 buttons in a row, long labels', () => {
    const text = ['**a lighthouse** for Alice', ...Array.from({ length: 11_000 }, () => '⚠️ --ar was given twice; using the last one (16:9).')].join('\n');
    const wide = Array.from({ length: 30 }, (_, n) => ({ id: `history:abc.d${n}`, label: 'L'.repeat(100), style: 'secondary' as const }));
    const body = renderReply(reply(text, [wide, [button('reroll'), button('delete')]]));
    expect(blockKitProblems(body.blocks)).toEqual([]);
    expect(body.blocks).toHaveLength(50);
    expect(body.text.length).toBeLessThanOrEqual(40_000);
    // The buttons all survive (in blocks of at most 25); the text is cut and says so.
    const buttons = body.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));
    expect(buttons).toHaveLength(32);
    const sections = body.blocks.filter((block) => block.type === 'section');
    expect(sections.at(-1)?.text.text).toMatch(/shortened: too long for one Slack message\)_$/);
  });

  it('renders the owner token as a Slack mention, and a mention-looking prompt as plain text', () => {
    const alice = mention({ platform: 'slack', externalId: 'U0ALICE001', displayName: 'Alice' });
    const body = renderReply(reply(`**<@U0EVE00001> a cat** for ${alice}: queued`));
    expect(body.text).toBe('*&lt;@U0EVE00001&gt; a cat* for <@U0ALICE001>: queued');
    const discordPerson = mention({ platform: 'discord', externalId: '123456789012345678', displayName: 'Bo & Co' });
    expect(renderReply(reply(`by ${discordPerson}`)).text).toBe('by Bo &amp; Co');
  });
});
