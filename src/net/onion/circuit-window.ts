/**
 * The circuit-level flow control both ends of a circuit share (docs/protocol/onion.md, "Streams and
 * flow control"): at most CIRCUIT_WINDOW_CELLS DATA cells sent unacknowledged, reopened by one
 * SENDME_INCREMENT_CELLS per circuit SENDME (stream id 0), and a SENDME due after every
 * SENDME_INCREMENT_CELLS DATA cells received. Owns the counts and the waiting senders only: knows
 * nothing about cells, layers, streams or links — the client circuit (circuit.ts) and the relay
 * (relay.ts, relay-exit.ts) send what it says.
 */
import { CIRCUIT_WINDOW_CELLS, SENDME_INCREMENT_CELLS } from './constants.ts';

export class CircuitWindow {
  private sendCells = CIRCUIT_WINDOW_CELLS;
  private waiters: (() => void)[] = [];
  private receivedCells = 0;

  /**
   * Takes one cell of the window for a DATA cell about to be sent: at once (undefined) when there is
   * room or the circuit is `stopped()`, so cells keep their order; else a promise that resolves once it
   * has been taken (room again, or the circuit stopped).
   */
  spend(stopped: () => boolean): Promise<void> | undefined {
    if (this.sendCells <= 0 && !stopped()) return this.spendLater(stopped);
    this.sendCells -= 1;
    return undefined;
  }

  private async spendLater(stopped: () => boolean): Promise<void> {
    while (this.sendCells <= 0 && !stopped()) await new Promise<void>((r) => this.waiters.push(r));
    this.sendCells -= 1;
  }

  /** A circuit SENDME arrived: the window reopens by one increment (never beyond its size). */
  credit(): void {
    this.sendCells = Math.min(this.sendCells + SENDME_INCREMENT_CELLS, CIRCUIT_WINDOW_CELLS);
    this.wake();
  }

  /** Wakes every waiting sender (after a credit, or when the circuit died: they then find it stopped). */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** A DATA cell arrived on the circuit: true when a circuit SENDME is due now. */
  received(): boolean {
    this.receivedCells += 1;
    return this.receivedCells % SENDME_INCREMENT_CELLS === 0;
  }
}
