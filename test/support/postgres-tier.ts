/**
 * Whether the PostgreSQL tier of the database tests runs in this vitest run, as decided once by
 * `postgres-tier.global-setup.ts` (DATABASE_URL_TEST, else a probe of the local server).
 */
import { inject } from 'vitest';

/** The decision handed to every test file. */
export interface PostgresTier {
  /** Server URL for the tier; '' when it is skipped. */
  readonly url: string;
  /** '' when it runs; else ` [skipped: <why>]`, for a describe() title. */
  readonly skipReason: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresTier: PostgresTier;
  }
}

/** This run's decision (only inside vitest test files). */
export function postgresTier(): PostgresTier {
  return inject('postgresTier');
}
