/** The Slack adapter (the only importer of @slack/bolt). */
export { SlackAdapter } from './slack.adapter.ts';
export type { SlackAdapterOptions } from './slack.adapter.ts';
export { SLACK_EVENTS_PATH } from './slack-app.factory.ts';
