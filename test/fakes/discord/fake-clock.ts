/**
 * The fake Discord's sense of time: the real clock plus an offset a test can move forward, so
 * "15 minutes later" (expired interaction tokens) takes no time. Ids are Discord snowflakes
 * made from this clock, as discord.js reads an interaction's age from its id.
 */
const DISCORD_EPOCH = 1_420_070_400_000n;

export class FakeClock {
  #offsetMs = 0;
  #last = 0n;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Moves the fake's time forward (the bot's own clock is unchanged). */
  advance(ms: number): void {
    this.#offsetMs += ms;
  }

  /** A new, unique, increasing snowflake id stamped with the fake time. */
  snowflake(): string {
    const candidate = (BigInt(this.now()) - DISCORD_EPOCH) << 22n;
    this.#last = candidate > this.#last ? candidate : this.#last + 1n;
    return this.#last.toString();
  }
}
