import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ConfigInput,
  createDaemonClient,
  type DaemonClient,
  type EventBus,
  parseConfig,
} from "@cca/core";
import { createDaemon, type Daemon, type DaemonOptions } from "../src/daemon.js";

export const FAKE_CLAUDE = fileURLToPath(new URL("./fixtures/fake-claude.mjs", import.meta.url));

export interface TestDaemon {
  daemon: Daemon;
  client: DaemonClient;
  home: string;
  /** Raw fetch against the daemon with the token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A daemon on a free port with its own CCA home, driving `claudePath` (the fake by default). */
export async function startTestDaemon(
  overrides: {
    claudePath?: string;
    config?: ConfigInput;
    env?: NodeJS.ProcessEnv;
    cluster?: DaemonOptions["cluster"];
    bus?: EventBus;
  } = {},
): Promise<TestDaemon> {
  const home = mkdtempSync(join(tmpdir(), "ccad-test-"));
  const config = parseConfig({
    ...overrides.config,
    daemon: { bind_address: "127.0.0.1:0", shutdown_grace_ms: 500, ...overrides.config?.daemon },
    agents: { claude_path: overrides.claudePath ?? FAKE_CLAUDE, ...overrides.config?.agents },
  });
  const daemon = createDaemon({
    config,
    home,
    env: overrides.env,
    cluster: overrides.cluster,
    bus: overrides.bus,
  });
  const url = await daemon.listen();
  const client = createDaemonClient({ baseUrl: url, token: daemon.token });
  return {
    daemon,
    client,
    home,
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
      rmSync(home, { recursive: true, force: true });
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
