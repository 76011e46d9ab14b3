/** Options for a write: how long the value lives. */
export interface SetOptions {
  /** Milliseconds until the key expires; without it the key lives until deleted. */
  ttlMs?: number;
}

/**
 * A lock held on one resource until released or until its time to live runs out. It
 * carries a random token, so release and extend act only while this holder still owns
 * the lock: after it expires and another holder takes it, they return false and leave
 * the other holder's lock alone.
 */
export interface Lock {
  readonly resource: string;
  /** The random value that identifies this holder. */
  readonly token: string;
  /** Frees the lock. False if it was no longer held by this holder (expired, maybe taken by another). */
  release(): Promise<boolean>;
  /** Resets the time to live to `ttlMs` (default: the one it was acquired with). False if no longer held. */
  extend(ttlMs?: number): Promise<boolean>;
}

/**
 * Keyed state shared by the parts of one daemon (in memory) or by several daemons
 * (Redis, in `@cca/core/redis`). Values are JSON: what is stored is a copy, and what is
 * read back is parsed anew. Keys are plain strings; the store adds its own namespace.
 *
 * @example
 * const store: StateStore = new InMemoryStateStore();
 * await store.set("agent:a1:heartbeat", { at: Date.now() }, { ttlMs: 30_000 });
 * const lock = await store.acquireLock("coordinator", 10_000);
 * if (lock) {
 *   try { … } finally { await lock.release(); }
 * }
 */
export interface StateStore {
  /** The value stored at `key`, or undefined if there is none or it expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores `value` at `key`, replacing any value and time to live it had. */
  set(key: string, value: unknown, options?: SetOptions): Promise<void>;
  /** Stores `value` only if `key` holds nothing; true if it did. Atomic. */
  setIfAbsent(key: string, value: unknown, options?: SetOptions): Promise<boolean>;
  /**
   * Replaces the value at `key` with `next` only if it currently equals `expected`
   * (`undefined` meaning "no value"); true if it did. Atomic. Values are compared as JSON
   * text, so pass `expected` as `get` returned it (same key order).
   */
  compareAndSet(key: string, expected: unknown, next: unknown, options?: SetOptions): Promise<boolean>;
  /** Removes `key`; true if it held a value. */
  delete(key: string): Promise<boolean>;
  /** Every live key that starts with `prefix`, sorted. Meant for small sets (registries), not bulk data. */
  keys(prefix: string): Promise<string[]>;
  /** Gives an existing key a new time to live; false if there is no such key. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Takes the lock on `resource` for `ttlMs` if nobody holds it, else resolves undefined
   * (it does not wait). Locks live apart from keys: `keys` does not list them. A holder
   * that works longer than `ttlMs` must `extend` the lock in time.
   */
  acquireLock(resource: string, ttlMs: number): Promise<Lock | undefined>;
  /** Releases what the store holds (connections, timers). The store is not used afterwards. */
  close(): Promise<void>;
}
