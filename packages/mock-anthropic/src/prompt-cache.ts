import { createHash } from "node:crypto";
import { estimateTokens } from "./assistant-message.ts";

/** How a request's input splits once the prompt cache has been consulted, in tokens. */
export interface CacheSplit {
  /** Read from the cache: the longest cached prefix that ends at a breakpoint. */
  read: number;
  /** Written to it: from there to the last breakpoint, by the lifetime that breakpoint asked for. */
  written: { fiveMinute: number; oneHour: number };
}

/** The API caches no prefix shorter than this (Sonnet's and Opus' minimum). */
const MIN_CACHEABLE_TOKENS = 1024;
const FIVE_MINUTES_MS = 5 * 60_000;
const ONE_HOUR_MS = 60 * 60_000;

/** The prompt up to the end of one block: its hash and size, and the lifetime asked for if a breakpoint ends there. */
interface Prefix {
  hash: string;
  tokens: number;
  /** Null: no `cache_control` on the block. */
  ttlMs: number | null;
}

/**
 * The Messages API's prompt cache as the mock plays it, so that a client's cache use can be
 * measured: the prefix of a request (tools, then system blocks, then message blocks, in that
 * order) up to each `cache_control` breakpoint is cached for 5 minutes (or an hour with
 * `ttl: "1h"`). A request reads the longest prefix already cached that ends at a block
 * boundary before its last breakpoint (the API looks back from each breakpoint), and writes
 * the rest up to that breakpoint; every read or write renews the prefix's lifetime. Tokens are the
 * mock's estimate, about four characters each. Anything that changes early in the prompt
 * (a timestamp in the system prompt, tools in another order) turns reads into writes, as
 * with the real API.
 */
export class PromptCache {
  readonly #expiry = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Consults and updates the cache for one request body, whose input is `totalTokens` in all. */
  account(body: Record<string, unknown>, totalTokens: number): CacheSplit {
    const now = this.#now();
    const prefixes = prefixesOf(body).filter((prefix) => prefix.tokens >= MIN_CACHEABLE_TOKENS);
    const breakpoints = prefixes.filter((prefix) => prefix.ttlMs !== null);
    const last = breakpoints.at(-1);
    const written = { fiveMinute: 0, oneHour: 0 };
    if (!last) return { read: 0, written };
    let read: Prefix | undefined;
    for (const prefix of prefixes) {
      if (prefix.tokens > last.tokens) break;
      if ((this.#expiry.get(prefix.hash) ?? 0) > now) read = prefix;
    }
    const readTokens = Math.min(read?.tokens ?? 0, totalTokens);
    const writeTokens = Math.min(last.tokens, totalTokens) - readTokens;
    if (last.ttlMs === ONE_HOUR_MS) written.oneHour = writeTokens;
    else written.fiveMinute = writeTokens;
    for (const prefix of [...breakpoints, ...(read ? [read] : [])]) {
      const ttlMs = prefix.ttlMs ?? FIVE_MINUTES_MS;
      this.#expiry.set(prefix.hash, Math.max(this.#expiry.get(prefix.hash) ?? 0, now + ttlMs));
    }
    return { read: readTokens, written };
  }
}

/** The prefix ending at each block, in the order the API reads the prompt. */
function prefixesOf(body: Record<string, unknown>): Prefix[] {
  const blocks: unknown[] = [
    ...asArray(body.tools),
    ...(typeof body.system === "string" ? [{ type: "text", text: body.system }] : asArray(body.system)),
    ...asArray(body.messages).flatMap((message) => {
      const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
      const parts = typeof content === "string" ? [{ type: "text", text: content }] : asArray(content);
      return parts.map((part) => ({ role, part }));
    }),
  ];
  const hash = createHash("sha256");
  let characters = 0;
  const prefixes: Prefix[] = [];
  for (const block of blocks) {
    const text = JSON.stringify(withoutCacheControl(block));
    hash.update(text);
    characters += text.length;
    const control = cacheControlOf(block);
    prefixes.push({
      hash: hash.copy().digest("hex"),
      tokens: estimateTokens(characters),
      ttlMs: control === null ? null : control.ttl === "1h" ? ONE_HOUR_MS : FIVE_MINUTES_MS,
    });
  }
  return prefixes;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function cacheControlOf(block: unknown): { ttl?: unknown } | null {
  const inner = (block as { part?: unknown }).part ?? block;
  const control = (inner as { cache_control?: unknown } | null)?.cache_control;
  return control && typeof control === "object" ? (control as { ttl?: unknown }) : null;
}

/** A block as the cache compares it: where the breakpoint sits does not change the content. */
function withoutCacheControl(block: unknown): unknown {
  return JSON.parse(JSON.stringify(block), (key, value) => (key === "cache_control" ? undefined : value));
}
