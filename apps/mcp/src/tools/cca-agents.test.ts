import { describe, expect, it } from "vitest";
import { commandCenterSessions, textOf } from "../../test/fixtures/command-center-session.js";
import { InMemoryDaemonClient, ManualClock } from "../../test/fixtures/in-memory-daemon-client.js";

const open = commandCenterSessions();

describe("cca_agents", () => {
  it("lists each agent with its role, state, tokens and cost", async () => {
    const clock = new ManualClock();
    const daemon = new InMemoryDaemonClient({ clock });
    daemon.addAgent({
      id: "agent_c",
      role: "coordinator",
      state: "busy",
      current_task_id: "task_7",
      tasks_completed: 1,
      usage: {
        input_tokens: 5000,
        output_tokens: 700,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 900,
        cost_usd: 1.5,
      },
    });
    daemon.addAgent({
      id: "agent_d",
      role: "dba",
      state: "failed",
      last_error: { code: "agent_crashed", message: "claude exited with code 1" },
    });
    clock.advance(120_000);
    const client = await open(daemon, { clock });
    const result = await client.callTool({ name: "cca_agents", arguments: {} });
    expect(textOf(result)).toBe(
      [
        "Agents (2):",
        "- agent_c (coordinator) · busy · task task_7 · 1 task done · tokens 5,000 in (+1,000 cache) / 700 out · $1.50 · active 2m ago",
        "- agent_d (dba) · failed · 0 tasks done · tokens 0 in / 0 out · $0.0000 · active 2m ago · last error [agent_crashed]: claude exited with code 1",
      ].join("\n"),
    );
  });
});
