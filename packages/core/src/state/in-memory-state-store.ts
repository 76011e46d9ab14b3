import { randomUUID } from "node:crypto";
import { type Clock, systemClock } from "../clock.js";
import { checkTtl, decodeValue, encodeValue } from "./json-value.js";
import type { Lock, SetOptions, StateStore } from "./state-store.js";

interface Slot {
  text: string;
  expiresAt: number | undefined;
}

/**
 * The in-process StateStore, for one daemon or for tests. Keys expire by the injected
 * clock, checked when they are read, so a test moves time by moving its clock.
 */
export class InMemoryStateStore implements StateStore {
  readonly #clock: Clock;
  readonly #values = new Map<string, Slot>();
  readonly #locks = new Map<string, Slot>();

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const slot = this.#live(this.#values, key);
    return slot ? decodeValue<T>(key, slot.text) : undefined;
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    this.#values.set(key, this.#slot(key, value, options));
  }

  async setIfAbsent(key: string, value: unknown, options: SetOptions = {}): Promise<boolean> {
    const slot = this.#slot(key, value, options);
    if (this.#live(this.#values, key)) return false;
    this.#values.set(key, slot);
    return true;
  }

  async compareAndSet(
    key: string,
    expected: unknown,
    next: unknown,
    options: SetOptions = {},
  ): Promise<boolean> {
    const slot = this.#slot(key, next, options);
    const current = this.#live(this.#values, key);
    const matches = expected === undefined ? !current : current?.text === encodeValue(key, expected);
    if (!matches) return false;
    this.#values.set(key, slot);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.#live(this.#values, key) !== undefined;
    this.#values.delete(key);
    return existed;
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.#values.keys()]
      .filter((key) => key.startsWith(prefix) && this.#live(this.#values, key))
      .sort();
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs, `expire("${key}")`);
    const slot = this.#live(this.#values, key);
    if (!slot) return false;
    slot.expiresAt = this.#clock.now() + ttl;
    return true;
  }

  async acquireLock(resource: string, ttlMs: number): Promise<Lock | undefined> {
    const ttl = checkTtl(ttlMs, `acquireLock("${resource}")`);
    if (this.#live(this.#locks, resource)) return undefined;
    const token = randomUUID();
    this.#locks.set(resource, { text: token, expiresAt: this.#clock.now() + ttl });
    const held = () => {
      const slot = this.#live(this.#locks, resource);
      return slot?.text === token ? slot : undefined;
    };
    return {
      resource,
      token,
      release: async () => {
        if (!held()) return false;
        this.#locks.delete(resource);
        return true;
      },
      extend: async (nextTtlMs = ttl) => {
        const nextTtl = checkTtl(nextTtlMs, `extend lock "${resource}"`);
        const slot = held();
        if (!slot) return false;
        slot.expiresAt = this.#clock.now() + nextTtl;
        return true;
      },
    };
  }

  async close(): Promise<void> {
    this.#values.clear();
    this.#locks.clear();
  }

  #slot(key: string, value: unknown, options: SetOptions): Slot {
    const text = encodeValue(key, value);
    const ttl = options.ttlMs === undefined ? undefined : checkTtl(options.ttlMs, `set("${key}")`);
    return { text, expiresAt: ttl === undefined ? undefined : this.#clock.now() + ttl };
  }

  /** The slot at `key` if it has not expired; an expired one is dropped. */
  #live(map: Map<string, Slot>, key: string): Slot | undefined {
    const slot = map.get(key);
    if (slot?.expiresAt !== undefined && slot.expiresAt <= this.#clock.now()) {
      map.delete(key);
      return undefined;
    }
    return slot;
  }
}
