/** The Web API client Bolt gives the app (the only type the adapter's parts share with Bolt). */
import type { App } from '@slack/bolt';

export type SlackClient = App['client'];
