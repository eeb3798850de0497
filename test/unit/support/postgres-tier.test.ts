/**
 * The PostgreSQL tier's decision: a server that refuses or never answers is a skip with its
 * reason (never a hang); DATABASE_URL_TEST wins; `off` skips on purpose.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decidePostgresTier, probePostgres } from '../../support/postgres-tier.global-setup.ts';

describe('PostgreSQL tier probe', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never says a word: the probe must give up on its own.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('names the problem when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await probePostgres(`postgresql://postgres@127.0.0.1:${port}/test`, 1_000)).toMatch(/not ?reachable|ECONNREFUSED/i);
  });

  it('gives up on a server that never answers', async () => {
    const port = (silent.address() as AddressInfo).port;
    expect(await probePostgres(`postgresql://postgres@127.0.0.1:${port}/test`, 300)).toMatch(/timeout|terminated/i);
  });

  it('uses DATABASE_URL_TEST as set, without probing, and skips visibly on "off"', async () => {
    expect(await decidePostgresTier('postgresql://ci@db.example:5432/test')).toEqual({ url: 'postgresql://ci@db.example:5432/test', skipReason: '' });
    expect(await decidePostgresTier('off')).toEqual({ url: '', skipReason: ' [skipped: DATABASE_URL_TEST=off]' });
  });
});
