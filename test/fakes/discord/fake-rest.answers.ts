/** Shared pieces of the fake REST routes: the request context and Discord-style answers. */
import type { FakeDiscordWorld } from './fake-discord.world.ts';
import type { MessageBody } from './message-store.ts';
import type { ReadBody } from './request-body.reader.ts';

export interface RouteContext {
  world: FakeDiscordWorld;
  body: ReadBody;
  auth: 'bot' | 'none' | 'wrong';
  query: URLSearchParams;
  gatewayUrl: string;
}

export interface RouteAnswer {
  status: number;
  json: unknown;
}

export type Handler = (params: string[], context: RouteContext) => RouteAnswer;

export const ok = (json: unknown): RouteAnswer => ({ status: 200, json });
export const noContent: RouteAnswer = { status: 204, json: undefined };
export const error = (status: number, code: number, message: string): RouteAnswer => ({ status, json: { code, message } });
export const UNKNOWN_MESSAGE = error(404, 10008, 'Unknown Message');
export const UNKNOWN_WEBHOOK = error(404, 10015, 'Unknown Webhook');
export const UNAUTHORIZED = error(401, 0, '401: Unauthorized');

export function needsBot(handler: Handler): Handler {
  return (params, context) => (context.auth === 'bot' ? handler(params, context) : UNAUTHORIZED);
}

export function messageBody(context: RouteContext): MessageBody {
  return (context.body.json ?? {}) as MessageBody;
}

export function changed<T extends RouteAnswer>(context: RouteContext, answer: T): T {
  context.world.changed();
  return answer;
}

