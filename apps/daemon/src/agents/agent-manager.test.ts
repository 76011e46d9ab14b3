import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InMemoryEventBus, parseConfig } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { ActivityLog } from "../activity/activity-log.js";
import { AgentManager } from "./agent-manager.js";
import { RoleCatalog } from "./role-catalog.js";

const FAKE_CLAUDE = fileURLToPath(new URL("../../test/fixtures/fake-claude.mjs", import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function createManager(): AgentManager {
  const workRoot = mkdtempSync(join(tmpdir(), "cca-agents-"));
  const config = parseConfig({ agents: { claude_path: FAKE_CLAUDE } }).agents;
  const manager = new AgentManager({
    config,
    maxAgents: 2,
    stopGraceMs: 100,
    catalog: new RoleCatalog(config),
    activity: new ActivityLog({ bus: new InMemoryEventBus() }),
    workRoot,
  });
  cleanups.push(async () => {
    for (const agent of manager.list()) {
      if (agent.pid && agent.state !== "stopped" && agent.state !== "failed")
        process.kill(agent.pid, "SIGCONT");
    }
    await manager.stopAll();
    rmSync(workRoot, { recursive: true, force: true });
  });
  return manager;
}

describe("AgentManager", () => {
  it("passes the interrupt's deadline through and reports true when the turn ends", async () => {
    const manager = createManager();
    const agent = await manager.reserve("backend", "task_1");
    const turn = manager.runTurn(agent.id, "task_1", "hang");
    expect(await manager.interrupt(agent.id, { deadlineMs: 5_000 })).toBe(true);
    expect(await turn).toMatchObject({ interrupted: true });
  });

  it("reports false for a hung agent by the deadline, and stops it for good", async () => {
    const manager = createManager();
    const agent = await manager.reserve("backend", "task_1");
    const turn = manager.runTurn(agent.id, "task_1", "hang");
    turn.catch(() => {});
    process.kill(agent.pid!, "SIGSTOP");
    expect(await manager.interrupt(agent.id, { deadlineMs: 200 })).toBe(false);
    expect(await manager.stop(agent.id)).toMatchObject({ state: "stopped" });
    expect(() => process.kill(agent.pid!, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
  });
});
