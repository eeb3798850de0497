/** The Discord adapter (the only importer of discord.js). */
export { DiscordAdapter, EDIT_GAP_MS } from './discord.adapter.ts';
export type { DiscordAdapterOptions } from './discord.adapter.ts';
export { slashCommands } from './slash-commands.ts';
