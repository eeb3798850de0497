import { describe, expect, it } from 'vitest';
import { DARKROOM_HELP, DEFAULT_USAGE_DAYS, parseDarkroomCommand } from '../../../src/bots/slack/darkroom-command.parser.ts';

function command(text: string) {
  const parsed = parseDarkroomCommand(text);
  if (parsed.kind !== 'command') throw new Error(`expected a command for ${JSON.stringify(text)}, got ${JSON.stringify(parsed)}`);
  return parsed.command;
}

function refusal(text: string) {
  const parsed = parseDarkroomCommand(text);
  if (parsed.kind !== 'refusal') throw new Error(`expected a refusal for ${JSON.stringify(text)}`);
  return parsed.refusal;
}

describe('/darkroom text', () => {
  it('help when empty or asked, and the help names every subcommand', () => {
    expect(parseDarkroomCommand('')).toEqual({ kind: 'help' });
    expect(parseDarkroomCommand('  HELP ')).toEqual({ kind: 'help' });
    for (const word of ['settings', 'show', 'queue', 'history', 'usage', 'ban', 'unban', 'blocklist']) expect(DARKROOM_HELP).toContain(word);
  });

  it("reads Slack's escaped mentions, bare ids and numbers of days in any order for history", () => {
    expect(command('history <@U024BE7LH|bob> <#C024BE7LR|general> 7')).toEqual({
      name: 'history',
      user: { platform: 'slack', externalId: 'U024BE7LH', displayName: 'bob' },
      channelId: 'C024BE7LR',
      statuses: undefined,
      cursor: undefined,
      days: 7,
    });
    expect(command('history 30 <#C024BE7LR>')).toMatchObject({ user: undefined, channelId: 'C024BE7LR', days: 30 });
    expect(command('history W0123ABCDE')).toMatchObject({ user: { externalId: 'W0123ABCDE', displayName: 'W0123ABCDE' }, days: undefined });
    expect(refusal('history @bob').message).toContain('Invalid history "@bob"');
  });

  it('usage defaults to a week; days are whole numbers from 1', () => {
    expect(command('usage')).toEqual({ name: 'usage', user: undefined, days: DEFAULT_USAGE_DAYS });
    expect(command('usage 30 <@U0ALICE001|alice>')).toMatchObject({ days: 30, user: { externalId: 'U0ALICE001' } });
    expect(refusal('usage 0').code).toBe('invalid_option');
    expect(refusal('usage lots').message).toContain('a number of days');
  });

  it('ban and unban need a mention; the rest of the words are the reason', () => {
    expect(command('ban <@U0BOB00001|bob> posting spam again')).toEqual({
      name: 'ban',
      target: { platform: 'slack', externalId: 'U0BOB00001', displayName: 'bob' },
      scope: 'workspace',
      reason: 'posting spam again',
    });
    expect(command('unban <@U0BOB00001>')).toMatchObject({ name: 'unban', scope: 'workspace', reason: undefined });
    // --global right after the person: everywhere (admins), as blocklist's --global.
    expect(command('ban <@U0BOB00001> --global spam everywhere')).toMatchObject({ name: 'ban', scope: 'global', reason: 'spam everywhere' });
    expect(refusal('ban bob spam').message).toMatch(/^person needs a value: @someone to ban/);
    expect(refusal('ban').details).toMatchObject({ problem: 'missing', option: 'person' });
  });

  it('blocklist add/remove take the rest as the term (a phrase), --global for the global list; list takes nothing', () => {
    expect(command('blocklist add  red  wine ')).toEqual({ name: 'blocklist', action: 'add', term: 'red wine', scope: 'workspace', reason: undefined });
    expect(command('blocklist remove --global gore')).toMatchObject({ action: 'remove', term: 'gore', scope: 'global' });
    expect(command('blocklist list')).toEqual({ name: 'blocklist', action: 'list' });
    expect(refusal('blocklist add').details).toMatchObject({ problem: 'missing', option: 'term' });
    expect(refusal('blocklist purge').details).toMatchObject({ problem: 'missing', option: 'blocklist' });
  });

  it('settings take /imagine flags except --seed; `default` is passed on for the service to clear', () => {
    expect(command('settings --ar 3:2 --steps 20 --no blurry, text')).toEqual({
      name: 'settings',
      changes: { aspect: { label: '--ar', text: '3:2' }, steps: { label: '--steps', text: '20' }, negative: { label: '--no', text: 'blurry, text' } },
    });
    expect(command('settings')).toEqual({ name: 'settings', changes: {} });
    expect(command('settings --model default')).toMatchObject({ changes: { model: { text: 'default' } } });
    expect(refusal('settings --seed 4').details).toMatchObject({ problem: 'unknown', option: '--seed' });
    expect(refusal('settings --wat 4').details).toMatchObject({ problem: 'unknown', option: '--wat' });
    expect(refusal('settings steps 20').message).toContain('flags such as');
  });

  it('show needs an id; queue has no arguments; an unknown subcommand lists the known ones', () => {
    expect(command('show V1StGXR8_Z5j')).toEqual({ name: 'show', generationId: 'V1StGXR8_Z5j' });
    expect(refusal('show').details).toMatchObject({ problem: 'missing', option: 'id' });
    expect(refusal('show ../etc').code).toBe('invalid_option');
    expect(command('queue')).toEqual({ name: 'queue' });
    expect(refusal('purge everything').message).toBe('Unknown option purge. Known options: settings, show, queue, history, usage, ban, unban, blocklist, help.');
  });
});
