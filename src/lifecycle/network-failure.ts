/**
 * Whether an error is the network failing (as opposed to a server's answer or a bug): socket
 * error codes of Node and undici anywhere in the error's cause chain.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** True when `error` (or one of its causes) carries a network error code. */
export function isNetworkFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const fields = current as { code?: unknown; cause?: unknown; original?: unknown; errors?: unknown };
    if (typeof fields.code === 'string' && NETWORK_CODES.has(fields.code)) return true;
    // AggregateError (happy eyeballs: one error per address tried).
    if (Array.isArray(fields.errors) && fields.errors.some((item) => isNetworkFailure(item))) return true;
    // @slack/web-api's RequestError keeps the underlying error in `original`.
    current = fields.cause ?? fields.original;
  }
  return false;
}
