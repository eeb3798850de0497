/**
 * The order in which a dispatcher hands waiting jobs to workers, computed afresh from the
 * `queued` rows each time (no state to lose): round-robin across people, as the in-process
 * queue does. Round 1 holds each person's oldest waiting job, round 2 their second, and so on;
 * within a round, the person whose last job started longest ago (or never) goes first, ties by
 * who asked first. One person queueing twenty jobs gets one job per round, like everybody.
 */

/** What ordering needs of a waiting job. */
export interface OrderableJob {
  id: string;
  userId: string;
}

/** Waiting jobs (in acceptance order) in the order they should start. */
export function fairDispatchOrder<Job extends OrderableJob>(queued: readonly Job[], lastStarts: ReadonlyMap<string, Date>): Job[] {
  const lanes = new Map<string, { jobs: Job[]; firstIndex: number }>();
  queued.forEach((job, index) => {
    const lane = lanes.get(job.userId);
    if (lane === undefined) lanes.set(job.userId, { jobs: [job], firstIndex: index });
    else lane.jobs.push(job);
  });
  const people = [...lanes.entries()].sort(([userA, laneA], [userB, laneB]) => {
    const startedA = lastStarts.get(userA)?.getTime() ?? -Infinity;
    const startedB = lastStarts.get(userB)?.getTime() ?? -Infinity;
    return startedA !== startedB ? startedA - startedB : laneA.firstIndex - laneB.firstIndex;
  });
  const order: Job[] = [];
  for (let round = 0; order.length < queued.length; round++) {
    for (const [, lane] of people) {
      const job = lane.jobs[round];
      if (job !== undefined) order.push(job);
    }
  }
  return order;
}
