/**
 * The sentences an operator reads for S3 failures the local test server cannot produce (wrong
 * secret, access denied, wrong region, server errors, no credentials, timeouts), built from
 * errors shaped as the AWS SDK v3 throws them.
 */
import { describe, expect, it } from 'vitest';
import { describeS3Failure, isMissingObject } from '../../../src/storage/s3-failure.ts';

const MINIO = { endpoint: 'http://minio:9000', bucket: 'darkroom', region: 'us-east-1' };
const AWS = { endpoint: undefined, bucket: 'darkroom', region: 'eu-central-1' };

/** An error as the SDK throws it: a name, the HTTP status in `$metadata`, maybe Node's `code`. */
function sdkError(name: string, status: number | undefined, code?: string): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...(code !== undefined && { code }), $metadata: { httpStatusCode: status } });
}

describe('describeS3Failure', () => {
  it.each([
    [sdkError('SignatureDoesNotMatch', 403), MINIO, 'refused the secret key: check S3_SECRET_ACCESS_KEY (it must belong to S3_ACCESS_KEY_ID)'],
    [sdkError('AccessDenied', 403), MINIO, 'denied access to bucket "darkroom": the access key needs read, write and delete rights on it'],
    [sdkError('PermanentRedirect', 301), AWS, 'bucket "darkroom" is not in region eu-central-1: check S3_REGION'],
    [sdkError('InternalError', 500), MINIO, 'the S3 server http://minio:9000 failed (HTTP 500 InternalError): try again later'],
    [sdkError('SlowDown', 503), AWS, 'the S3 server AWS S3 (eu-central-1) failed (HTTP 503 SlowDown): try again later'],
    [sdkError('CredentialsProviderError', undefined), AWS, 'no S3 credentials: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY'],
    [sdkError('TimeoutError', undefined, 'ETIMEDOUT'), MINIO, 'the S3 server http://minio:9000 did not answer in time (TimeoutError): is it running and not overloaded'],
    [sdkError('Error', undefined, 'ENOTFOUND'), MINIO, 'cannot reach the S3 server http://minio:9000 (ENOTFOUND)'],
    [sdkError('UnknownError', 403), MINIO, 'refused the credentials or denied access to bucket "darkroom" (HTTP 403)'],
    [sdkError('NotFound', 404), MINIO, 'bucket "darkroom" does not exist on http://minio:9000: create it, or check S3_BUCKET'],
  ])('%s → a sentence that names what to check', (error, where, expected) => {
    expect(describeS3Failure(error, where)).toContain(expected);
  });

  it('names the server\'s own code and words for anything else', () => {
    const odd = sdkError('InvalidStorageClass', 400);
    expect(describeS3Failure(odd, MINIO)).toBe('the S3 server http://minio:9000 answered InvalidStorageClass (HTTP 400): InvalidStorageClass happened');
  });
});

describe('isMissingObject', () => {
  it('is true for a missing key, not for a missing bucket or other failures', () => {
    expect(isMissingObject(sdkError('NoSuchKey', 404))).toBe(true);
    expect(isMissingObject(sdkError('NotFound', 404))).toBe(true);
    expect(isMissingObject(sdkError('NoSuchBucket', 404))).toBe(false);
    expect(isMissingObject(sdkError('AccessDenied', 403))).toBe(false);
    expect(isMissingObject(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});
