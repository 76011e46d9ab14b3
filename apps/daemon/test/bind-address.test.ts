import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, parseConfig } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { createDaemon, type Daemon } from "../src/daemon.js";
import { isLoopbackHost } from "../src/http/bind-check.js";
import { FAKE_CLAUDE, memoryDatabase } from "./support.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A daemon on `bind_address` whose log lines are kept. */
async function daemonOn(daemon: { bind_address: string; allow_remote?: boolean }): Promise<{
  daemon: Daemon;
  logs: string[];
}> {
  const home = mkdtempSync(join(tmpdir(), "ccad-bind-"));
  const database = await memoryDatabase();
  const logs: string[] = [];
  const created = createDaemon({
    config: parseConfig({
      daemon: { shutdown_grace_ms: 500, ...daemon },
      agents: { claude_path: FAKE_CLAUDE },
    }),
    home,
    database,
    logger: createLogger({ level: "warn", write: (line) => logs.push(line) }),
  });
  cleanups.push(async () => {
    await created.close();
    await database.close();
    rmSync(home, { recursive: true, force: true });
  });
  return { daemon: created, logs };
}

describe("binding to a non-loopback address", () => {
  it("is refused without daemon.allow_remote, with an error naming the key", async () => {
    for (const bind_address of ["0.0.0.0:0", "[::]:0"]) {
      const { daemon } = await daemonOn({ bind_address });
      const error = await daemon.listen().then(
        () => new Error("expected listen() to refuse"),
        (e: unknown) => e as Error,
      );
      expect(error.message).toBe(
        `daemon.bind_address = "${bind_address}" is not a loopback address: ccad would answer the network. Bind to 127.0.0.1 (the default), or set daemon.allow_remote = true (CCA__DAEMON__ALLOW_REMOTE=true) to allow it on purpose.`,
      );
      expect(daemon.url).toBe("");
    }
  });

  it("is allowed with daemon.allow_remote = true, with a warning", async () => {
    const { daemon, logs } = await daemonOn({ bind_address: "0.0.0.0:0", allow_remote: true });
    const url = await daemon.listen();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(logs.join("")).toContain(
      "WARN ccad listens on a non-loopback address (daemon.allow_remote = true): anyone who can reach it and holds the access token controls the agents, and the API is plain HTTP; put TLS and a firewall in front of it bind_address=0.0.0.0:0",
    );
  });

  it("is not needed for loopback addresses, which log no warning", async () => {
    const { daemon, logs } = await daemonOn({ bind_address: "127.0.0.1:0" });
    await daemon.listen();
    expect(logs.join("")).not.toContain("non-loopback");
  });
});

describe("isLoopbackHost", () => {
  it("knows loopback addresses and names from the rest", async () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1", "localhost"]) {
      expect(await isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "[::]", "192.168.1.20", "10.0.0.1", "fe80::1"]) {
      expect(await isLoopbackHost(host), host).toBe(false);
    }
  });
});
