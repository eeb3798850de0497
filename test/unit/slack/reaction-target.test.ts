import { describe, expect, it } from 'vitest';
import { imageFileName, parseImageFileName } from '../../../src/bots/slack/result-files.ts';
import { REACTION_ACTIONS, resultOfMessage } from '../../../src/bots/slack/reaction-target.ts';
import { renderReply } from '../../../src/bots/slack/slack-blocks.ts';
import { formatButtonId } from '../../../src/commands/index.ts';

const BOT = { userId: 'U0BOT', botId: 'B0BOT' };
const ID = 'V1StGXR8_Z5j';

function statusMessage(user: string, images: number[], fileIds: string[]) {
  const buttons = [
    images.map((index) => ({ id: formatButtonId({ action: 'upscale', generationId: ID, imageIndex: index }), label: 'U', style: 'secondary' as const })),
    [
      { id: formatButtonId({ action: 'reroll', generationId: ID, imageIndex: undefined }), label: 'R', style: 'primary' as const },
      { id: formatButtonId({ action: 'delete', generationId: ID, imageIndex: undefined }), label: 'D', style: 'danger' as const },
    ],
  ];
  const body = renderReply({ visibility: 'public', text: '**x**', attachments: [], buttons, refusal: undefined }, fileIds);
  return { type: 'message', ts: '1.1', user, bot_id: user === BOT.userId ? BOT.botId : undefined, text: body.text, blocks: body.blocks };
}

describe('which result a reaction is on', () => {
  it('maps the four reactions Slack spells by name', () => {
    expect(REACTION_ACTIONS).toEqual({ arrows_counterclockwise: 'reroll', arrow_up: 'upscale', twisted_rightwards_arrows: 'vary', x: 'delete' });
  });

  it('finds the job, its images and its Slack files on a status message', () => {
    expect(resultOfMessage(statusMessage(BOT.userId, [0, 2], ['F1', 'F3']), BOT)).toEqual({
      generationId: ID,
      imageIndex: undefined,
      imageIndexes: [0, 2],
      fileIds: ['F1', 'F3'],
      isStatusMessage: true,
    });
  });

  it('finds the job and the image on an image message by its file name', () => {
    expect(imageFileName(ID, 3)).toBe(`${ID}-4.png`);
    expect(parseImageFileName(`${ID}-4.png`)).toEqual({ generationId: ID, imageIndex: 3 });
    const message = { type: 'message', ts: '1.2', user: BOT.userId, text: 'Image 4 · seed 9', files: [{ id: 'F9', name: `${ID}-4.png` }] };
    expect(resultOfMessage(message, BOT)).toMatchObject({ generationId: ID, imageIndex: 3, imageIndexes: [3], fileIds: ['F9'], isStatusMessage: false });
  });

  it("never takes someone else's message for a result, even one that copies the buttons or file names", () => {
    expect(resultOfMessage(statusMessage('U0MALLORY', [0], ['F1']), BOT)).toBeUndefined();
    expect(resultOfMessage({ user: 'U0MALLORY', files: [{ id: 'F9', name: `${ID}-1.png` }] }, BOT)).toBeUndefined();
    expect(resultOfMessage({ user: BOT.userId, text: 'Invite me first' }, BOT)).toBeUndefined();
    expect(resultOfMessage(undefined, BOT)).toBeUndefined();
  });
});
