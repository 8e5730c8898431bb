/**
 * Promises that wait for a condition of their owner (a Peer's `sessionReady` and `drained`): each
 * resolves with `ok()` when the owner wakes the set, or after its timeout. Owns only the set and the
 * timers; knows nothing about what the condition is.
 */
export class Waiters {
  readonly #set = new Set<() => void>();

  /** Resolves with `ok()` once woken, or after `timeoutMs`. */
  wait(timeoutMs: number, ok: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#set.delete(done);
        resolve(ok());
      };
      const timer = setTimeout(done, timeoutMs);
      this.#set.add(done);
    });
  }

  /** Wakes every waiter now (each resolves with its `ok()`). */
  wake(): void {
    for (const w of [...this.#set]) w();
  }
}
