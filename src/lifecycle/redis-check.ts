/**
 * `darkroom doctor`'s Redis check: one connection, `AUTH` when the URL has a password, `SELECT`
 * when it names a database, `PING`, then quit; bounded by a timeout. Plain RESP over node:net or
 * node:tls, so doctor needs no Redis client, and the answer says in plain words what is wrong.
 * Never prints the password.
 */
import net from 'node:net';
import tls from 'node:tls';

export type RedisCheck = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly text: string };

/** `redis://host:6379/2` without user or password, for messages. */
export function redisLocation(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port === '' ? '6379' : parsed.port;
  const database = parsed.pathname.replace(/^\//, '');
  return `${parsed.protocol}//${parsed.hostname}:${port}${database === '' ? '' : `/${database}`}`;
}

function command(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}

function describeReply(reply: string, where: string): string {
  if (reply.startsWith('-NOAUTH')) return `Redis at ${where} asks for a password: put it in REDIS_URL (redis://:password@host:6379)`;
  if (reply.startsWith('-WRONGPASS') || reply.startsWith('-ERR invalid password') || reply.includes('invalid username-password')) {
    return `Redis at ${where} refused the user name or password in REDIS_URL`;
  }
  if (reply.includes('DB index is out of range')) return `Redis at ${where} has no such database number: check the /<number> at the end of REDIS_URL`;
  return `Redis at ${where} answered ${reply.slice(1).trim()}`;
}

/** Connects to `url` and checks that Redis answers; resolves within about `timeoutMs`. */
export function checkRedis(url: string, timeoutMs: number): Promise<RedisCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, text: 'REDIS_URL is not a URL' });
  }
  const where = redisLocation(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const password = decodeURIComponent(parsed.password);
  const user = decodeURIComponent(parsed.username);
  const database = parsed.pathname.replace(/^\//, '');
  const commands: string[] = [];
  if (password !== '') commands.push(user !== '' ? command('AUTH', user, password) : command('AUTH', password));
  if (database !== '') commands.push(command('SELECT', database));
  commands.push(command('PING'));

  return new Promise((resolve) => {
    const socket =
      parsed.protocol === 'rediss:' ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined }) : net.connect({ host, port });
    let settled = false;
    let buffered = '';
    let answered = 0;
    const finish = (result: RedisCheck): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, text: `Redis at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    socket.once(parsed.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => socket.write(commands.join('')));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const reply = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (reply.startsWith('-')) return finish({ ok: false, text: describeReply(reply, where) });
        answered += 1;
        if (answered === commands.length) {
          return finish(reply === '+PONG' ? { ok: true, text: `Redis at ${where} answers` } : { ok: false, text: `${where} answered ${reply} to PING: is it a Redis server?` });
        }
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish({ ok: false, text: `cannot reach Redis at ${where} (${error.code ?? error.message}): is it running, and is REDIS_URL right?` });
    });
    socket.on('close', () => finish({ ok: false, text: `Redis at ${where} closed the connection without answering: is it a Redis server (TLS needs rediss://)?` }));
  });
}
