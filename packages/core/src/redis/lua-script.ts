import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A Lua script run atomically by Redis, sent by its SHA1 and loaded on first use. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Runs `script` with EVALSHA, falling back to EVAL when this Redis has not seen it yet. */
export async function runLuaScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
    return await redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
