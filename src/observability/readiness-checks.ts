/**
 * What `/readyz` asks: a list of named checks, each answering undefined (ready) or the reason it
 * is not. Each check is bounded, so a database that hangs makes the probe say so instead of
 * hanging the probe.
 */

/** One part of the process that must be ready to serve. */
export interface ReadinessCheck {
  /** `database`, `engine`, `discord`, `slack`. */
  readonly name: string;
  /** undefined when ready, else why not, in words. */
  check(): Promise<string | undefined> | string | undefined;
}

export interface ReadinessReport {
  ready: boolean;
  /** Every check: `ok` or the reason it is not ready. */
  checks: Record<string, string>;
}

/** Runs every check at once; one that throws or takes longer than `timeoutMs` is not ready. */
export async function assessChecks(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport> {
  const answers = await Promise.all(checks.map((check) => bounded(check, timeoutMs)));
  const report: ReadinessReport = { ready: true, checks: {} };
  checks.forEach((check, index) => {
    const reason = answers[index];
    report.checks[check.name] = reason ?? 'ok';
    if (reason !== undefined) report.ready = false;
  });
  return report;
}

async function bounded(check: ReadinessCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.resolve().then(() => check.check()), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] || error.name : String(error);
  } finally {
    clearTimeout(timer);
  }
}
