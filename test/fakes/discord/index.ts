/** A fake Discord (REST + Gateway on loopback) for end-to-end tests with the real discord.js client. */
export { startFakeDiscord, FakeDiscord } from './fake-discord.server.ts';
export type { FakeDiscordOptions } from './fake-discord.server.ts';
export { components } from './fake-discord.driver.ts';
export type { ComponentInfo, Where } from './fake-discord.driver.ts';
export { SCENE, defaultScene } from './fake-discord.scene.ts';
export type { FakeScene } from './fake-discord.scene.ts';
export { OpenApiValidator } from './openapi-validator.ts';
export { DISCORD_LIKE_RULES } from './rate-limit.buckets.ts';
export type { BucketRule } from './rate-limit.buckets.ts';
export { PERMISSIONS } from './interaction-payloads.ts';
export type * from './fake-discord.types.ts';
