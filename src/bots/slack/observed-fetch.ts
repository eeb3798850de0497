/**
 * The Web API client's fetch, watched for trouble: an HTTP error (429 rate limits included) or
 * a Slack `ok: false` answer is reported to the metrics port with its status or Slack's error
 * code. The answer itself goes back to the client unchanged (a clone is read).
 */
import type { webApi } from '@slack/bolt';
import type { ChatApiObserver } from '../../observability/chat-api-observer.ts';

/** `fetch` for `clientOptions.fetch`, reporting to `observer`. */
export function observedFetch(observer: ChatApiObserver): webApi.FetchFunction {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (response.status >= 400) {
      observer.apiError(response.status);
    } else if (response.headers.get('content-type')?.includes('application/json')) {
      // Not awaited: the client reads the original while the clone is checked.
      void response
        .clone()
        .json()
        .then(
          (body: unknown) => {
            const answer = body as { ok?: unknown; error?: unknown };
            if (answer.ok === false) observer.apiError(typeof answer.error === 'string' ? answer.error : 'error');
          },
          () => undefined,
        );
    }
    return response;
  };
}
