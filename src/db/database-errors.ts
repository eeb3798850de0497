/**
 * A PostgreSQL server that cannot be used (not running, wrong host or port, no such database,
 * login refused) as one plain sentence: what failed, where (password hidden) and what to check.
 * The Prisma client reports these as a `P2010` "raw query failed" error whose driver-adapter
 * cause says the kind; the pg driver's own errors (socket codes, SQLSTATEs) are read too.
 */

/** Why a PostgreSQL server cannot be used. */
export type DatabaseFailureReason = 'unreachable' | 'timeout' | 'unknown_database' | 'access_denied' | 'tls' | 'too_many_connections';

/** The database cannot be used; `message` is the sentence to print, the original error is `cause`. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';

  constructor(
    readonly reason: DatabaseFailureReason,
    /** The connection URL without its password. */
    readonly location: string,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** `postgresql://user:secret@host/db?schema=x` → `postgresql://user:***@host/db?schema=x`. */
export function hidePassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

interface Facts {
  kind: string | undefined;
  code: string | undefined;
  message: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The driver adapter's kind and the driver's code, wherever the error chain carries them. */
function factsOf(error: unknown): Facts {
  let kind: string | undefined;
  let code: string | undefined;
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined; depth += 1) {
    const fields = record(current);
    if (fields === undefined) break;
    const adapterCause = record(record(record(fields['meta'])?.['driverAdapterError'])?.['cause']);
    kind ??= text(adapterCause?.['kind']) ?? (fields['name'] === 'DriverAdapterError' ? text(record(fields['cause'])?.['kind']) : undefined);
    code ??= text(adapterCause?.['originalCode']) ?? text(fields['code']);
    if (typeof fields['message'] === 'string') messages.push(fields['message']);
    current = fields['cause'];
  }
  return { kind, code, message: messages.join(' | ') };
}

function reasonOf(facts: Facts): DatabaseFailureReason | undefined {
  switch (facts.kind) {
    case 'DatabaseNotReachable':
    case 'ConnectionClosed':
      return 'unreachable';
    case 'SocketTimeout':
      return 'timeout';
    case 'DatabaseDoesNotExist':
      return 'unknown_database';
    case 'DatabaseAccessDenied':
    case 'AuthenticationFailed':
      return 'access_denied';
    case 'TlsConnectionError':
      return 'tls';
    case 'TooManyConnections':
      return 'too_many_connections';
    default:
      break;
  }
  switch (facts.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    case '3D000':
      return 'unknown_database';
    case '28000':
    case '28P01':
      return 'access_denied';
    case '53300':
      return 'too_many_connections';
    default:
      break;
  }
  if (/connection timeout|timeout exceeded when trying to connect/i.test(facts.message)) return 'timeout';
  if (/SSL|TLS/.test(facts.message) && /connection/i.test(facts.message)) return 'tls';
  return undefined;
}

function sentence(reason: DatabaseFailureReason, url: URL, shown: string): string {
  const server = `${url.hostname}:${url.port === '' ? '5432' : url.port}`;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(the user name)';
  const user = decodeURIComponent(url.username) || '(the system user)';
  switch (reason) {
    case 'unreachable':
      return `Cannot reach the PostgreSQL server at ${server} (DATABASE_URL ${shown}): check that PostgreSQL is running there and that the host name and port are right.`;
    case 'timeout':
      return `The PostgreSQL server at ${server} did not answer in time (DATABASE_URL ${shown}): check the host name, the port and any firewall between here and there.`;
    case 'unknown_database':
      return `The PostgreSQL server at ${server} has no database "${database}" (DATABASE_URL ${shown}): create it (createdb ${database}) or fix the database name in DATABASE_URL.`;
    case 'access_denied':
      return `The PostgreSQL server at ${server} refused to let "${user}" log in to "${database}" (DATABASE_URL ${shown}): check the user name and password in DATABASE_URL, and that this role exists and may connect.`;
    case 'tls':
      return `The TLS connection to the PostgreSQL server at ${server} failed (DATABASE_URL ${shown}): check sslmode in DATABASE_URL against what the server offers.`;
    case 'too_many_connections':
      return `The PostgreSQL server at ${server} has no free connections (DATABASE_URL ${shown}): close idle clients or raise max_connections.`;
  }
}

/**
 * The plain error for a failure to use the PostgreSQL server at `url`, or undefined when the
 * error is something else (a bug, a failed migration), which should keep its own words.
 */
export function describeDatabaseFailure(error: unknown, url: string): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  const reason = reasonOf(factsOf(error));
  if (reason === undefined) return undefined;
  const shown = hidePassword(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return new DatabaseUnavailableError(reason, shown, sentence(reason, parsed, shown), { cause: error });
}
