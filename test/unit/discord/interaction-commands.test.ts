import { describe, expect, it } from 'vitest';
import { acceptedJobId, componentCommand, formatHistoryBackId, formatPickerId } from '../../../src/bots/discord/interaction-commands.ts';
import { formatHistoryButtonId, refusalReply, textReply, type Reply } from '../../../src/commands/index.ts';
import { refuse } from '../../../src/generation/requests/refusal.ts';

describe('component ids', () => {
  it('turns result buttons into job commands', () => {
    expect(componentCommand('upscale:abc-_12:3', [])).toEqual({ kind: 'job', action: 'upscale', command: { name: 'upscale', generationId: 'abc-_12', imageIndex: 3 } });
    expect(componentCommand('reroll:abc', [])).toMatchObject({ kind: 'job', command: { name: 'reroll', generationId: 'abc' } });
    expect(componentCommand('delete:abc', [])).toMatchObject({ command: { name: 'delete', generationId: 'abc', imageIndex: undefined } });
  });

  it('reads the image picked in a select menu, and only images 1–4', () => {
    const id = formatPickerId('vary', 'xyz');
    expect(id.length).toBeLessThanOrEqual(100);
    expect(componentCommand(id, ['2'])).toMatchObject({ kind: 'job', command: { name: 'vary', generationId: 'xyz', imageIndex: 2, strength: 'subtle' } });
    expect(componentCommand(id, ['7'])).toBeUndefined();
    expect(componentCommand(id, [])).toBeUndefined();
  });

  it('reads history paging buttons', () => {
    const next = formatHistoryButtonId({ queuedAt: new Date(Date.UTC(2026, 0, 2)), id: 'g123' }, '42');
    expect(componentCommand(next, [])).toMatchObject({ kind: 'history-next', userExternalId: '42' });
    expect(componentCommand(formatHistoryBackId('42'), [])).toEqual({ kind: 'history-back', userExternalId: '42' });
    expect(componentCommand(formatHistoryBackId(undefined), [])).toEqual({ kind: 'history-back', userExternalId: undefined });
  });

  it.each(['', 'nuke:abc', 'upscale:abc', 'pick-delete:abc', 'history-back:../x', 'vary:a b:1'])('refuses the forged id %j', (id) => {
    expect(componentCommand(id, ['0'])).toBeUndefined();
  });
});

describe('acceptedJobId', () => {
  const accepted: Reply = { ...textReply('**a cat**: queued, position 1', 'public'), buttons: [[{ id: 'cancel:g42', label: 'Cancel', style: 'secondary' }]] };

  it('names the job a public answer with a Cancel button accepted', () => {
    expect(acceptedJobId(accepted)).toBe('g42');
  });

  it('names none for refusals, private answers and results', () => {
    expect(acceptedJobId(refusalReply(refuse('banned', { reason: undefined })))).toBeUndefined();
    expect(acceptedJobId({ ...accepted, visibility: 'private' })).toBeUndefined();
    expect(acceptedJobId({ ...accepted, buttons: [[{ id: 'reroll:g42', label: '🔄', style: 'primary' }]] })).toBeUndefined();
  });
});
