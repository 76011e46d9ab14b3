import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createDaemonClient, type DaemonClient, readAccessToken } from "@cca/core";
import { claudeTestEnv, resolveClaudeBinary } from "@cca/mock-anthropic";
import { CCAD_BIN } from "./paths.js";

export interface CcadProcess {
  url: string;
  home: string;
  token: string;
  client: DaemonClient;
  child: ChildProcess;
  /** Everything the daemon logged so far. */
  logs(): string;
  /** The environment a client of this daemon (cca-mcp, cca) needs. */
  clientEnv(): Record<string, string>;
  /** Sends `signal` (SIGTERM by default), then resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the real `ccad` as a separate process with its own CCA home, on a free port,
 * whose agents run the pinned Claude Code against `mockUrl`. The ReasoningBank's distiller
 * is off unless `env` turns it on (`CCA__MEMORY__DISTILL: "true"`).
 */
export async function startCcad(options: {
  mockUrl: string;
  env?: Record<string, string>;
  /** A CCA home to reuse (its token, database and agents' conversations), e.g. to restart a daemon. */
  home?: string;
}): Promise<CcadProcess> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), "cca-e2e-"));
  const env = {
    ...claudeTestEnv({ mockUrl: options.mockUrl, home: join(home, "claude-home") }),
    CCA_HOME: home,
    CCA__DAEMON__BIND_ADDRESS: "127.0.0.1:0",
    CCA__DAEMON__SHUTDOWN_GRACE_MS: "1000",
    CCA__AGENTS__CLAUDE_PATH: resolveClaudeBinary(),
    // One more Claude Code per task, whose requests no other test scripts: on where tested.
    CCA__MEMORY__DISTILL: "false",
    ...options.env,
  };
  const child = spawn(process.execPath, [CCAD_BIN], { env, stdio: ["ignore", "ignore", "pipe"] });
  let logs = "";
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on("line", (line) => {
      logs += `${line}\n`;
      const match = / url=(http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`ccad exited with ${code} before listening:\n${logs}`)));
  });
  const token = readAccessToken({ CCA_HOME: home })!;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    url,
    home,
    token,
    child,
    client: createDaemonClient({ baseUrl: url, token }),
    logs: () => logs,
    clientEnv: () => ({ PATH: process.env.PATH ?? "", CCA_DAEMON_URL: url, CCA_HOME: home }),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Whether a process with this pid runs (a zombie, dead but not yet reaped, does not). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // The state is the field after the parenthesised command name: "Z" for a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Pids of the `cca-mcp --agent <id>` bridges still running for these agents. */
export function bridgePids(agentIds: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const at = args.indexOf("--agent");
      if (
        args.some((arg) => arg.endsWith("cca-mcp.js")) &&
        at !== -1 &&
        agentIds.includes(args[at + 1] ?? "")
      ) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Polls until `check` holds (for state other processes change on their own), failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
