/**
 * Round-robin across people: each person has a FIFO of waiting jobs, and the next job to start
 * is the head of the person who has waited longest for a turn. One person queueing ten jobs
 * gets one turn per round, like everybody else.
 *
 * Turn order uses one number per person (`turnKey`, smallest goes next):
 * - served → key = 2·takes (the back of the rotation);
 * - joins the rotation (first waiting job) → key = 2·takes − 1: behind everyone already
 *   waiting for a turn, ahead only of the person served last. Leaving and re-joining cannot
 *   jump the line, since a join never gets a key older than anyone still waiting; and the
 *   person served last keeps their place at the back even if their lane ran empty meanwhile
 *   (only they can hold a key newer than 2·takes − 1, so only they need remembering).
 * Ties (people who joined between the same two takes) go by arrival.
 */

interface Lane<Job> {
  userId: string;
  jobs: Job[];
  turnKey: number;
  arrival: number;
}

export class FairRotation<Job extends { id: string; userId: string }> {
  readonly #lanes = new Map<string, Lane<Job>>();
  #takes = 0;
  #lastServed: string | undefined;
  #arrivals = 0;
  #size = 0;

  /** Waiting jobs, all people together. */
  get size(): number {
    return this.#size;
  }

  /** Waiting jobs of one person. */
  sizeOf(userId: string): number {
    return this.#lanes.get(userId)?.jobs.length ?? 0;
  }

  add(job: Job): void {
    let lane = this.#lanes.get(job.userId);
    if (lane === undefined) {
      const turnKey = job.userId === this.#lastServed ? 2 * this.#takes : 2 * this.#takes - 1;
      lane = { userId: job.userId, jobs: [], turnKey, arrival: this.#arrivals++ };
      this.#lanes.set(job.userId, lane);
    }
    lane.jobs.push(job);
    this.#size++;
  }

  /** The job whose turn it is, removed from the rotation; undefined when nothing waits. */
  take(): Job | undefined {
    const lane = this.#nextLane(this.#lanes.values());
    if (lane === undefined) return undefined;
    const job = lane.jobs.shift();
    this.#size--;
    this.#takes++;
    lane.turnKey = 2 * this.#takes;
    this.#lastServed = lane.userId;
    if (lane.jobs.length === 0) this.#lanes.delete(lane.userId);
    return job;
  }

  /** Removes a waiting job; false when it is not waiting. */
  remove(jobId: string): boolean {
    for (const lane of this.#lanes.values()) {
      const index = lane.jobs.findIndex((job) => job.id === jobId);
      if (index < 0) continue;
      lane.jobs.splice(index, 1);
      this.#size--;
      if (lane.jobs.length === 0) this.#lanes.delete(lane.userId);
      return true;
    }
    return false;
  }

  /**
   * Waiting jobs in the order they would start if nobody else arrived; with `untilId`, only up
   * to and including that job (positions of a new job cost its position, not the whole queue).
   */
  startOrder(untilId?: string): Job[] {
    const lanes = [...this.#lanes.values()].map((lane) => ({ ...lane, jobs: [...lane.jobs] }));
    let takes = this.#takes;
    const order: Job[] = [];
    for (;;) {
      const lane = this.#nextLane(lanes.filter((candidate) => candidate.jobs.length > 0));
      if (lane === undefined) return order;
      const job = lane.jobs.shift() as Job;
      order.push(job);
      if (job.id === untilId) return order;
      lane.turnKey = 2 * ++takes;
    }
  }

  #nextLane(lanes: Iterable<Lane<Job>>): Lane<Job> | undefined {
    let best: Lane<Job> | undefined;
    for (const lane of lanes) {
      if (best === undefined || lane.turnKey < best.turnKey || (lane.turnKey === best.turnKey && lane.arrival < best.arrival)) {
        best = lane;
      }
    }
    return best;
  }
}
