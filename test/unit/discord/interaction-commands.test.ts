import { describe, expect, it } from 'vitest';
import { componentCommand } from '../../../src/bots/discord/interaction-commands.ts';
import { acceptedJobId, formatButtonId, refusalReply, textReply, type Reply } from '../../../src/commands/index.ts';
import { refuse } from '../../../src/generation/requests/refusal.ts';

describe('component ids', () => {
  it('turns result buttons into job commands', () => {
    expect(componentCommand('upscale:abc-_12:3', [])).toEqual({ kind: 'job', action: 'upscale', command: { name: 'upscale', generationId: 'abc-_12', imageIndex: 3 } });
    expect(componentCommand('reroll:abc', [])).toMatchObject({ kind: 'job', command: { name: 'reroll', generationId: 'abc' } });
    expect(componentCommand('delete:abc', [])).toMatchObject({ command: { name: 'delete', generationId: 'abc', imageIndex: undefined } });
  });

  it('reads the image picked in a select menu, and only images 1–4', () => {
    const id = formatButtonId({ action: 'pick', pick: 'vary', generationId: 'xyz' });
    expect(id).toBe('pick-vary:xyz');
    expect(id.length).toBeLessThanOrEqual(100);
    expect(componentCommand(id, ['2'])).toMatchObject({ kind: 'job', command: { name: 'vary', generationId: 'xyz', imageIndex: 2, strength: 'subtle' } });
    expect(componentCommand(id, ['7'])).toBeUndefined();
    expect(componentCommand(id, [])).toBeUndefined();
  });

  it('reads history paging buttons', () => {
    const cursor = { queuedAt: new Date(Date.UTC(2026, 0, 2)), id: 'g123' };
    const next = formatButtonId({ action: 'history-next', cursor, userExternalId: '42' });
    expect(componentCommand(next, [])).toEqual({ kind: 'history-next', cursor, userExternalId: '42' });
    expect(componentCommand(formatButtonId({ action: 'history-back', userExternalId: '42' }), [])).toEqual({ kind: 'history-back', userExternalId: '42' });
    expect(componentCommand('history-back', [])).toEqual({ kind: 'history-back', userExternalId: undefined });
  });

  it.each(['', 'nuke:abc', 'upscale:abc', 'pick-delete:abc', 'history-back:../x', 'vary:a b:1'])('refuses the forged id %j', (id) => {
    expect(componentCommand(id, ['0'])).toBeUndefined();
  });
});

describe('acceptedJobId', () => {
  const accepted: Reply = {
    ...textReply('**a cat**: queued, position 1', 'public'),
    buttons: [[{ id: 'cancel:g42', label: 'Cancel', style: 'secondary' }]],
    job: { generationId: 'g42', state: 'accepted', step: 0 },
  };

  it('names the job a public accepted answer says it accepted (not read from its buttons)', () => {
    expect(acceptedJobId(accepted)).toBe('g42');
  });

  it('names none for refusals, private answers and results', () => {
    expect(acceptedJobId(refusalReply(refuse('banned', { reason: undefined })))).toBeUndefined();
    expect(acceptedJobId({ ...accepted, visibility: 'private' })).toBeUndefined();
    expect(acceptedJobId({ ...accepted, job: { generationId: 'g42', state: 'finished', step: 0 } })).toBeUndefined();
    expect(acceptedJobId({ ...accepted, job: undefined })).toBeUndefined();
  });
});
