/**
 * Flow control of the sync link: while a message's handlers are still working on it, at most one
 * more message is read from the socket; the next waits, and with it the acknowledgement of that
 * one. A big snapshot then waits at the broker instead of piling up in memory.
 */
export class FlowGate {
  /** What the handlers of the message being delivered are still doing. */
  private hold: Promise<unknown> | undefined;
  /** What the handlers of the message before it are still doing. */
  private previous: Promise<unknown> = Promise.resolve();

  /** The handlers of the message just delivered returned these promises. */
  holding(pending: Promise<unknown>[]): void {
    if (pending.length > 0) this.hold = Promise.allSettled(pending);
  }

  /**
   * A delivered message is taken (acknowledged, the next one read) by `release` once the one
   * before it is done: one message is applied while the next waits in memory, parsed and ready.
   */
  take(release: () => void): void {
    const before = this.previous;
    this.previous = this.hold ?? Promise.resolve();
    this.hold = undefined;
    void before.then(release);
  }
}
