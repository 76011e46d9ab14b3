import { type Approval, ApprovalRuleSchema, emptyUsage, PendingApprovalSchema } from "@cca/core";
import { ApprovalRepository } from "@cca/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderTeamAgents } from "../src/render-team.ts";
import { startTestDaemon, type TestDaemon } from "./fixtures/test-daemon.ts";

let test: TestDaemon;
let approvals: ApprovalRepository;

beforeEach(async () => {
  test = await startTestDaemon("approvals");
  approvals = new ApprovalRepository(test.database);
});

afterEach(() => test.close());

const cca = (args: string[]) => test.cca(args);

/** A pending approval, as an agent of the real daemon would leave one. */
async function pending(id: string, fields: Partial<Approval> = {}): Promise<Approval> {
  const now = Date.now();
  const approval: Approval = {
    id,
    agent_id: "backend_1",
    role: "backend",
    project: "/home/ada/shop",
    task_id: "task_part",
    root_task_id: "task_root",
    tool_name: "Bash",
    input: { command: "npm install left-pad" },
    summary: "run `npm install left-pad`",
    status: "pending",
    message: null,
    remember: null,
    // 90 s before the `now` runCca gives the CLI; it expires by the daemon's own clock.
    created_at: "2025-01-01T12:03:30.000Z",
    expires_at: new Date(now + 600_000).toISOString(),
    answered_at: null,
    ...fields,
  };
  await approvals.insert(approval, "ccad-cli-test");
  return approval;
}

describe("cca approvals and cca approve", () => {
  it("lists what waits for approval, with who asks, for which task, and how to answer", async () => {
    await pending("approval_1");
    const result = await cca(["approvals"]);
    expect(result.code).toBe(0);
    const [header, row, , hint] = result.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+ROLE\s+AGENT\s+TASK\s+PROJECT\s+WAITING\s+WANTS TO$/);
    expect(row).toMatch(
      /^approval_1\s+backend\s+backend_1\s+task_part\s+\/home\/ada\/shop\s+1m\s+run `npm install left-pad`$/,
    );
    expect(hint).toBe("Answer with: cca approve <id> [--deny] [--message M] [--remember role|project]");
    const json = await cca(["approvals", "--json"]);
    expect(
      PendingApprovalSchema.array()
        .parse(JSON.parse(json.stdout))
        .map((a) => a.id),
    ).toEqual(["approval_1"]);
  });

  it("allows one and remembers it for the project, lists the rule, and removes it", async () => {
    await pending("approval_1");
    const allowed = await cca(["approve", "approval_1", "--remember", "project"]);
    expect(allowed.stderr).toBe("");
    expect(allowed.stdout).toMatch(
      /^Allowed approval_1: backend \(backend_1\) may run `npm install left-pad`; remembered for the project \(asked 1m ago\)\.\n$/,
    );
    expect((await approvals.find("approval_1"))?.status).toBe("allowed");

    const rules = ApprovalRuleSchema.array().parse(
      JSON.parse((await cca(["approvals", "rules", "--json"])).stdout),
    );
    expect(rules).toMatchObject([
      { role: "backend", project: "/home/ada/shop", tool_name: "Bash", command: "npm install left-pad" },
    ]);
    const table = await cca(["approvals", "rules"]);
    // The one rule's id is shown as its shortest form, "rule_" and 4 more; the command takes it.
    const shown = rules[0]!.id.slice(0, 9);
    expect(table.stdout.split("\n")[1]).toMatch(
      new RegExp(`^${shown}\\s+backend\\s+/home/ada/shop\\s+Bash\\s+\\d+s\\s+npm install left-pad$`),
    );
    const removed = await cca(["approvals", "rules", "remove", shown]);
    expect(removed.stdout).toBe(
      `Removed rule ${rules[0]!.id}: backend asks again before running \`npm install left-pad\` in /home/ada/shop.\n`,
    );
    expect((await cca(["approvals", "rules"])).stdout).toBe(
      "No remembered rules: every tool use a role does not pre-allow asks.\n",
    );
  });

  it("denies with a message for the agent", async () => {
    await pending("approval_1");
    const denied = await cca(["approve", "approval_1", "--deny", "-m", "vendor it"]);
    expect(denied.code).toBe(0);
    expect(denied.stdout).toMatch(
      /^Denied approval_1: backend \(backend_1\) may not run `npm install left-pad`/,
    );
    expect(await approvals.find("approval_1")).toMatchObject({ status: "denied", message: "vendor it" });
  });

  it("refuses --remember with --deny, an unknown id, and an answered approval, saying why", async () => {
    await pending("approval_1", { status: "allowed", answered_at: new Date().toISOString() });
    const both = await cca(["approve", "approval_1", "--deny", "--remember", "role"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--remember goes with allowing only");
    const unknown = await cca(["approve", "approval_none"]);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toBe(
      'cca: No approval with id "approval_none"; list the pending ones with `cca approvals` (approval_not_found)\n',
    );
    const answered = await cca(["approve", "approval_1"]);
    expect(answered.code).toBe(1);
    expect(answered.stderr).toContain("Approval approval_1 was answered already (allowed");
    const badChoice = await cca(["approve", "approval_1", "--remember", "forever"]);
    expect(badChoice.code).toBe(2);
  });
});

describe("cca status", () => {
  it("shows an agent waiting for an approval as needing you", () => {
    const text = renderTeamAgents(
      [
        {
          id: "backend_1",
          role: "backend",
          state: "waiting_input",
          current_task_id: "task_part",
          last_tool: null,
          usage: emptyUsage(),
        },
      ],
      { now: new Date(), width: 120 },
    );
    expect(text.split("\n")[1]).toMatch(/^backend_1\s+needs you\s+task_part\s/);
  });
});
