import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_activity", () => {
  it("shows what each agent is doing and the latest events", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ clock });
    const at = new Date(clock.now()).toISOString();
    daemon.addAgent({
      id: "agent_c",
      role: "coordinator",
      state: "busy",
      current_task_id: "task_1",
      last_tool: { name: "Bash", summary: "Bash: npm test", at },
      usage: {
        input_tokens: 1200,
        output_tokens: 300,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cost_usd: 0.02,
      },
    });
    daemon.addAgent({ id: "agent_b", role: "backend" });
    daemon.emit({
      kind: "agent.tool_use",
      agent_id: "agent_c",
      task_id: "task_1",
      summary: "coordinator: running Bash: npm test",
    });
    daemon.emit({ kind: "agent.state", agent_id: "agent_b", task_id: null, summary: "backend: ready" });
    clock.advance(3000);
    const client = await open(daemon, { clock });
    const result = await client.callTool({ name: "cca_activity", arguments: {} });
    expect(textOf(result)).toBe(
      [
        "Agents (2):",
        "- coordinator agent_c: busy · task task_1 · last tool Bash: npm test (3s ago) · tokens 1,200 in / 300 out · $0.0200",
        "- backend agent_b: ready · tokens 0 in / 0 out · $0.0000",
        "",
        "Recent events (oldest first):",
        "- 3s ago task_1: coordinator: running Bash: npm test",
        "- 3s ago backend: ready",
      ].join("\n"),
    );
  });

  it("says when no agents run yet", async () => {
    const client = await open(new InMemoryDaemonClient());
    const result = await client.callTool({ name: "cca_activity", arguments: {} });
    expect(textOf(result)).toBe("No agents yet: the daemon starts them when a task arrives.");
  });
});
