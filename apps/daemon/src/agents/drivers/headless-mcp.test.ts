import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  claudeTestEnv,
  createMockAnthropic,
  type MockAnthropic,
  replyText,
  resolveClaudeBinary,
  STREAM_JSON_ARGS,
} from "@cca/mock-anthropic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadlessDriver } from "./headless.js";
import { mcpStartup } from "./mcp-status.js";

const SLOW_MCP = fileURLToPath(new URL("../../../test/fixtures/slow-mcp-server.mjs", import.meta.url));

let mock: MockAnthropic;
beforeAll(async () => {
  mock = await createMockAnthropic();
});
afterAll(async () => {
  await mock.close();
});

describe("HeadlessDriver start-up, with the real Claude Code on the mock", () => {
  it("is ready only once its MCP servers have connected, which Claude Code does after the handshake", async () => {
    const home = mkdtempSync(join(tmpdir(), "cca-mcp-start-"));
    const marker = join(home, "connected");
    const config = join(home, "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { slow: { command: process.execPath, args: [SLOW_MCP], env: { MCP_MARKER: marker } } },
      }),
    );
    mock.on({ when: () => true, reply: replyText("hello") });
    const driver = new HeadlessDriver({
      claudePath: resolveClaudeBinary(),
      args: [...STREAM_JSON_ARGS, "--mcp-config", config, "--strict-mcp-config"],
      cwd: home,
      env: { ...process.env, ...claudeTestEnv({ mockUrl: mock.url, home }) },
      startupTimeoutMs: 20_000,
    });
    try {
      await driver.start();
      expect(existsSync(marker)).toBe(true);
      const turn = await driver.sendTurn("hi");
      expect(turn.text).toBe("hello");
      expect(mock.requests.at(-1)?.toolNames).toContain("mcp__slow__ping");
    } finally {
      await driver.stop(1_000);
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("mcpStartup", () => {
  it("waits while a server is pending, and names the ones that did not connect", () => {
    expect(mcpStartup({ mcpServers: [{ name: "cca", status: "pending" }] })).toEqual({ settled: false });
    expect(
      mcpStartup({
        mcpServers: [
          { name: "cca", status: "connected" },
          { name: "other", status: "failed" },
        ],
      }),
    ).toEqual({ settled: true, failed: [{ name: "other", status: "failed" }] });
    // An answer it cannot read (a stand-in for Claude Code) holds nothing up.
    expect(mcpStartup({})).toEqual({ settled: true, failed: [] });
    expect(mcpStartup("odd")).toEqual({ settled: true, failed: [] });
  });
});
