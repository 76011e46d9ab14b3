import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ConfigInput,
  createDaemonClient,
  type DaemonClient,
  type EventBus,
  parseConfig,
  type Task,
  type TaskScheduler,
} from "@cca/core";
import { type Database, migrate, openDatabase } from "@cca/memory";
import { bridgeConfigPath, type McpServerConfig } from "../src/acp/bridge-launch.js";
import type { AgentDriverFactory } from "../src/agents/agent-driver.js";
import { createDaemon, type Daemon } from "../src/daemon.js";

export const FAKE_CLAUDE = fileURLToPath(new URL("./fixtures/fake-claude.mjs", import.meta.url));

export interface TestDaemon {
  daemon: Daemon;
  client: DaemonClient;
  home: string;
  database: Database;
  /** Raw fetch against the daemon with the token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the daemon; removes its home and closes its database unless they were given. */
  close(): Promise<void>;
}

/** A migrated database in memory (PGlite), as every test daemon gets unless given one. */
export async function memoryDatabase(): Promise<Database> {
  const database = await openDatabase();
  await migrate(database);
  return database;
}

/** A daemon on a free port with its own CCA home and database, driving `claudePath` (the fake by default). */
export async function startTestDaemon(
  overrides: {
    claudePath?: string;
    config?: ConfigInput;
    env?: NodeJS.ProcessEnv;
    bus?: EventBus;
    /** Share a database (and so the tasks) with other daemons, or across a restart. */
    database?: Database;
    scheduler?: TaskScheduler;
    /** Reuse a CCA home (token, work folders), e.g. to restart a daemon. */
    home?: string;
    name?: string;
    /** Makes the agents' drivers instead of the configured ones (e.g. a program in a PTY). */
    createDriver?: AgentDriverFactory;
  } = {},
): Promise<TestDaemon> {
  const home = overrides.home ?? mkdtempSync(join(tmpdir(), "ccad-test-"));
  const database = overrides.database ?? (await memoryDatabase());
  const config = parseConfig({
    ...overrides.config,
    daemon: { bind_address: "127.0.0.1:0", shutdown_grace_ms: 500, ...overrides.config?.daemon },
    agents: { claude_path: overrides.claudePath ?? FAKE_CLAUDE, ...overrides.config?.agents },
    // The distiller would run the fake Claude Code after every task: on where tested.
    memory: { distill: false, ...overrides.config?.memory },
  });
  const daemon = createDaemon({
    config,
    home,
    database,
    env: overrides.env,
    bus: overrides.bus,
    scheduler: overrides.scheduler,
    name: overrides.name,
    createDriver: overrides.createDriver,
  });
  const url = await daemon.listen();
  const client = createDaemonClient({ baseUrl: url, token: daemon.token });
  return {
    daemon,
    client,
    home,
    database,
    call: (path, init = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${daemon.token}`,
          "content-type": "application/json",
          ...init.headers,
        },
      }),
    async close() {
      await daemon.close();
      if (!overrides.database) await database.close();
      if (!overrides.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it holds (for state another process changes), failing after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a top-level task that keeps the Coordinator busy, as it is while it delegates. */
export async function busyCoordinator(daemon: TestDaemon): Promise<{ parent: Task; coordinatorId: string }> {
  const parent = await daemon.client.createTask({ description: "hang" });
  const coordinatorOf = async () => {
    const task = await daemon.client.getTask(parent.id);
    const agent = task.agent_id ? await daemon.client.getAgent(task.agent_id) : null;
    return agent?.current_task_id === parent.id ? agent.id : null;
  };
  await waitUntil(async () => (await coordinatorOf()) !== null);
  return { parent: await daemon.client.getTask(parent.id), coordinatorId: (await coordinatorOf())! };
}

/** The bridge entry of the MCP config the daemon wrote for an agent, as its Claude Code reads it. */
export function bridgeConfigOf(home: string, agentId: string): McpServerConfig {
  const config = JSON.parse(readFileSync(bridgeConfigPath(home, agentId), "utf8")) as {
    mcpServers: { cca: McpServerConfig };
  };
  return config.mcpServers.cca;
}

/** The credential the daemon gave an agent: its bearer header over http, its environment over stdio. */
export function agentCredentialOf(home: string, agentId: string): string {
  const server = bridgeConfigOf(home, agentId);
  const credential =
    "url" in server
      ? /^Bearer (\S+)$/.exec(server.headers?.Authorization ?? "")?.[1]
      : server.env?.CCA_AGENT_TOKEN;
  if (!credential)
    throw new Error(`Agent ${agentId}'s MCP config holds no credential: ${JSON.stringify(server)}`);
  return credential;
}
