import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export type Env = Record<string, string | undefined>;

/** `$CCA_HOME`, or `~/.cca`. */
export function resolveCcaHome(env: Env = process.env): string {
  const configured = env.CCA_HOME?.trim();
  return configured ? configured : join(homedir(), ".cca");
}

/** Where the daemon keeps its access token. */
export function tokenPath(home: string): string {
  return join(home, "token");
}

/** The access token for the daemon: `$CCA_TOKEN`, else `$CCA_HOME/token`, else undefined. */
export function readAccessToken(env: Env = process.env): string | undefined {
  const fromEnv = env.CCA_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(tokenPath(resolveCcaHome(env)), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `$CCA_DAEMON_URL`, or the default address. */
export function resolveDaemonUrl(env: Env = process.env): string {
  return (env.CCA_DAEMON_URL?.trim() || "http://127.0.0.1:9200").replace(/\/+$/, "");
}
