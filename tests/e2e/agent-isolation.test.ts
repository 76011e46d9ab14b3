import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { claudeTestEnv, replyText, resolveClaudeBinary } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";
import { REPO_ROOT } from "../support/paths.js";

const t = useMockAndCcad();

describe("agent isolation", () => {
  it("keeps the user's plugins (CCA's own included) out of agents, so a task cannot recurse", async () => {
    // The daemon's agents share the user's Claude Code home; install the CCA plugin there.
    const env = claudeTestEnv({ mockUrl: t.mock.url, home: join(t.ccad.home, "claude-home") });
    // Async on purpose: the mock answers from this process, so a blocking exec would deadlock.
    const claude = (...args: string[]) => promisify(execFile)(resolveClaudeBinary(), args, { env });
    await claude("plugin", "marketplace", "add", REPO_ROOT);
    await claude("plugin", "install", "cca@cca");

    // Control: an ordinary session in that home does get the plugin's tools.
    t.mock.on({ when: (r) => r.lastUserText === "control", reply: replyText("control done") });
    await claude("-p", "control", "--output-format", "json");
    const control = await t.mock.waitForRequest((r) => r.lastUserText === "control");
    expect(control.toolNames).toContain("mcp__plugin_cca_cca__cca_task");

    t.mock.on({ when: (r) => r.lastUserText === "inside an agent", reply: replyText("agent done") });
    const { task } = await t.ccad.client.createTaskAndWait({ description: "inside an agent" });
    expect(task.status).toBe("completed");
    const request = await t.mock.waitForRequest((r) => r.lastUserText === "inside an agent");
    // Only CCA's own bridge, which the daemon gives the Coordinator, and none of the user's servers.
    expect(request.toolNames.filter((name) => name.startsWith("mcp__"))).toEqual(["mcp__cca__cca_delegate"]);
    expect(request.toolNames).toEqual(expect.arrayContaining(["Read", "Edit", "Bash"]));
  });
});
