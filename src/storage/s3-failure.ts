/**
 * What went wrong talking to an S3-compatible server, in the words an operator acts on. Used by
 * the S3 image store (the cause inside `storage_unavailable`) and by `darkroom doctor`. Reads the
 * SDK's errors by their documented shape (`name`, `$metadata.httpStatusCode`, Node's `code`), so
 * this file needs no SDK import.
 */

/** Where the store points: enough to name the setting that is probably wrong. */
export interface S3Location {
  /** undefined = AWS S3 itself. */
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly region: string;
}

/** Node network error codes that mean "the server could not be reached". */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shapeOf(error: unknown): { name: string; code: string | undefined; status: number | undefined; message: string } {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  return {
    name: typeof shape.name === 'string' ? shape.name : 'Error',
    code: typeof shape.code === 'string' ? shape.code : undefined,
    status: typeof status === 'number' ? status : undefined,
    message: typeof shape.message === 'string' ? shape.message : String(error),
  };
}

/** Whether the error says "no object under this key" (and not "no such bucket"). */
export function isMissingObject(error: unknown): boolean {
  const { name, status } = shapeOf(error);
  return name === 'NoSuchKey' || (status === 404 && name !== 'NoSuchBucket');
}

/**
 * One sentence about an S3 failure: unreachable server, unknown key id, wrong secret, access
 * denied, missing bucket, wrong region, server trouble. Never contains a secret (the SDK's
 * messages do not echo keys, and nothing here adds them).
 */
export function describeS3Failure(error: unknown, where: S3Location): string {
  const { name, code, status, message } = shapeOf(error);
  const server = where.endpoint ?? `AWS S3 (${where.region})`;
  if (name === 'TimeoutError' || name === 'RequestTimeout') {
    return `the S3 server ${server} did not answer in time (${name}): is it running and not overloaded, and is S3_ENDPOINT right?`;
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return `cannot reach the S3 server ${server} (${code}): is it running, and is S3_ENDPOINT right?`;
  }
  switch (name) {
    case 'InvalidAccessKeyId':
      return `the S3 server ${server} does not know the access key id: check S3_ACCESS_KEY_ID`;
    case 'SignatureDoesNotMatch':
      return `the S3 server ${server} refused the secret key: check S3_SECRET_ACCESS_KEY (it must belong to S3_ACCESS_KEY_ID)`;
    case 'AccessDenied':
    case 'Forbidden':
      return `the S3 server ${server} denied access to bucket "${where.bucket}": the access key needs read, write and delete rights on it`;
    case 'NoSuchBucket':
      return `bucket "${where.bucket}" does not exist on ${server}: create it, or check S3_BUCKET`;
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return `bucket "${where.bucket}" is not in region ${where.region}: check S3_REGION`;
    case 'CredentialsProviderError':
      return 'no S3 credentials: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or give the machine an IAM role)';
    default:
      break;
  }
  if (status === 403) return `the S3 server ${server} refused the credentials or denied access to bucket "${where.bucket}" (HTTP 403): check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the key's rights`;
  if (status === 404) return `bucket "${where.bucket}" does not exist on ${server}: create it, or check S3_BUCKET`;
  if (status === 301) return `bucket "${where.bucket}" is not in region ${where.region}: check S3_REGION`;
  if (status !== undefined && status >= 500) return `the S3 server ${server} failed (HTTP ${status} ${name}): try again later`;
  return `the S3 server ${server} answered ${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${message}`;
}
