/** Why a tokenizer folder could not be loaded. Stable codes; callers map them to words. */
export type TokenizerLoadErrorCode = 'tokenizer-files-missing' | 'tokenizer-files-invalid';

/**
 * Thrown by `ClipTokenizer.fromDirectory` when the folder is unusable. A model folder without a
 * readable tokenizer cannot generate anything, so this is an exception, with a code for the
 * message a person reads and the folder in the text for the log.
 */
export class TokenizerLoadError extends Error {
  readonly code: TokenizerLoadErrorCode;

  constructor(code: TokenizerLoadErrorCode, message: string) {
    super(message);
    this.name = 'TokenizerLoadError';
    this.code = code;
  }
}
