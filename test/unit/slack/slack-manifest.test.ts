/**
 * The app manifest must ask for exactly the scopes the adapter uses: a missing one fails in
 * production with `missing_scope`, an extra one asks workspace admins for more than we need.
 * The Web API methods are read from the adapter's source; the scope each needs comes from
 * Slack's method reference (docs.slack.dev/reference/methods/…), written down here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../support/shared-dir.ts';

/** Bot-token scope(s) each Web API method needs (undefined: none; several: one per kind of conversation). */
const METHOD_SCOPES: Record<string, string | readonly string[] | undefined> = {
  'auth.test': undefined,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'files.uploadV2': 'files:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'files.delete': 'files:write',
  'users.info': 'users:read',
  'reactions.add': 'reactions:write',
  'reactions.get': 'reactions:read',
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
};
/** Scope each Events API event needs. */
const EVENT_SCOPES: Record<string, string> = { reaction_added: 'reactions:read' };

interface Manifest {
  features: { slash_commands: Array<{ command: string; should_escape: boolean }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
}

const sourceDir = path.join(projectRoot, 'src', 'bots', 'slack');
const source = readdirSync(sourceDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => readFileSync(path.join(sourceDir, file), 'utf8'))
  .join('\n');
const manifest = parse(readFileSync(path.join(projectRoot, 'config', 'slack-manifest.yaml'), 'utf8')) as Manifest;
const found = (pattern: RegExp) => [...new Set([...source.matchAll(pattern)].map((match) => match[1] as string))].sort();

describe('config/slack-manifest.yaml', () => {
  it('asks for exactly the bot scopes of the methods, commands and events the adapter uses', () => {
    const methods = found(/client\.([a-z]+\.[A-Za-z0-9]+)\(/g);
    expect(methods.length).toBeGreaterThan(5);
    for (const method of methods) expect(Object.keys(METHOD_SCOPES), `scope of ${method} not known`).toContain(method);
    const events = found(/app\.event\('([a-z_]+)'/g);
    const needed = new Set<string>(['commands']);
    for (const method of methods) for (const scope of [METHOD_SCOPES[method] ?? []].flat()) needed.add(scope);
    for (const event of events) needed.add(EVENT_SCOPES[event] as string);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('declares the slash commands and events the adapter listens to, with interactivity and Socket Mode', () => {
    expect(manifest.features.slash_commands.map((command) => command.command).sort()).toEqual(found(/app\.command\('([^']+)'/g));
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(found(/app\.event\('([a-z_]+)'/g));
    expect(source).toContain('app.action');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    // /darkroom reads people and channels from escaped mentions.
    expect(manifest.features.slash_commands.find((command) => command.command === '/darkroom')?.should_escape).toBe(true);
  });
});
