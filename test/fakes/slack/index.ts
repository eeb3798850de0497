/** A fake Slack (Web API, uploads, response_url, Socket Mode) and signed inbound requests, for tests. */
export { FakeSlack } from './fake-slack.server.ts';
export type { FakeSlackOptions } from './fake-slack.server.ts';
export { FakeSlackWorkspace } from './fake-slack-workspace.ts';
export { FakeSocketMode } from './fake-socket-mode.ts';
export type { EnvelopeAck, EnvelopeType } from './fake-socket-mode.ts';
export { blockKitProblems } from './block-kit.check.ts';
export { jsonParam } from './fake-slack.types.ts';
export type { FakeSlackCall, FakeSlackEphemeral, FakeSlackFile, FakeSlackIdentity, FakeSlackMessage, FakeSlackUser } from './fake-slack.types.ts';
export { encodeInbound, postSigned, slackSignature } from './slack-signing.ts';
export type { InboundBody, SignedPostOptions, SignedPostResult } from './slack-signing.ts';
export { blockActionPayload, reactionAddedBody, slashCommandFields } from './slack-payloads.ts';
export type { BlockActionInput, ReactionInput, SlashCommandInput } from './slack-payloads.ts';
