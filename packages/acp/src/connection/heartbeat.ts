/** How a connection checks that its peer is alive. */
export interface HeartbeatOptions {
  /** How often to check, in ms. A `$/ping` is sent only when nothing arrived since the last check. */
  intervalMs: number;
  /** How many checks in a row may pass with nothing received (pings unanswered) before the connection closes. */
  maxMissed: number;
}

/**
 * Counts silent intervals. Any received frame counts as a sign of life, so a busy
 * connection sends no pings; a silent one sends one per interval, and closes after
 * `maxMissed` of them go unanswered.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions;
  readonly #ping: () => void;
  readonly #onLost: (reason: string) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #heardSinceCheck = false;
  #missed = 0;

  constructor(options: HeartbeatOptions, ping: () => void, onLost: (reason: string) => void) {
    if (!(options.intervalMs > 0) || !(options.maxMissed >= 1)) {
      throw new RangeError(
        `Heartbeat needs intervalMs > 0 and maxMissed >= 1; got intervalMs=${options.intervalMs}, maxMissed=${options.maxMissed}`,
      );
    }
    this.#options = options;
    this.#ping = ping;
    this.#onLost = onLost;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#check(), this.#options.intervalMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Called for every received frame. */
  heard(): void {
    this.#heardSinceCheck = true;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    if (this.#heardSinceCheck) {
      this.#heardSinceCheck = false;
      this.#missed = 0;
      return;
    }
    if (this.#missed >= this.#options.maxMissed) {
      this.stop();
      const { intervalMs, maxMissed } = this.#options;
      this.#onLost(
        `heartbeat lost: the peer answered none of ${maxMissed} $/ping requests sent every ${intervalMs} ms`,
      );
      return;
    }
    this.#missed += 1;
    this.#ping();
  }
}
