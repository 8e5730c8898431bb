/**
 * A small typed event hub for PvtEvents: listeners are isolated from each other (one throwing does not
 * stop the rest). Knows nothing about where events come from.
 */
import type { PvtEvent } from './api.ts';

export class EventHub {
  readonly #listeners = new Set<(event: PvtEvent) => void>();

  subscribe(listener: (event: PvtEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: PvtEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A broken listener must not break delivery to the others.
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
