import type { Approval } from "@cca/core";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase } from "../../test/support/engines.js";
import type { Database } from "../database/open-database.js";
import { ApprovalRepository } from "./approval-repository.js";

const NOW = new Date("2026-12-01T10:00:00.000Z");

function approval(id: string, overrides: Partial<Approval> = {}): Approval {
  return {
    id,
    agent_id: "backend_1",
    role: "backend",
    project: "/work/shop",
    task_id: "task_part",
    root_task_id: "task_root",
    tool_name: "Bash",
    input: { command: "npm install left-pad", description: "Install it" },
    summary: "run `npm install left-pad`",
    status: "pending",
    message: null,
    remember: null,
    created_at: "2026-12-01T09:59:00.000Z",
    expires_at: "2026-12-01T10:09:00.000Z",
    answered_at: null,
    ...overrides,
  };
}

describe.each(ENGINES)("ApprovalRepository on %s", (engine) => {
  let database: Database;
  let approvals: ApprovalRepository;
  beforeAll(async () => {
    database = await freshDatabase(engine);
    approvals = new ApprovalRepository(database);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await sql`delete from approvals; delete from approval_rules`.execute(database.db);
  });

  it("keeps a pending approval with its tool input and reads it back", async () => {
    const stored = approval("approval_1");
    await approvals.insert(stored, "ccad-a");
    expect(await approvals.find("approval_1")).toEqual(stored);
    expect(await approvals.find("approval_none")).toBeUndefined();
  });

  it("cancels the pending approvals of gone daemons, and no other", async () => {
    await approvals.insert(approval("of_gone"), "ccad-gone");
    await approvals.insert(approval("of_live"), "ccad-live");
    await approvals.insert(approval("answered", { status: "allowed" }), "ccad-gone");

    expect(await approvals.cancelOfDaemons(["ccad-gone"], NOW)).toBe(1);

    expect(await approvals.find("of_gone")).toMatchObject({
      status: "cancelled",
      answered_at: NOW.toISOString(),
    });
    expect((await approvals.find("of_gone"))?.message).toMatch(/stopped before anyone answered/);
    expect((await approvals.find("of_live"))?.status).toBe("pending");
    expect((await approvals.find("answered"))?.status).toBe("allowed");
    expect(await approvals.cancelOfDaemons([], NOW)).toBe(0);
  });

  it("lists the approvals still waiting, oldest first, by task tree", async () => {
    await approvals.insert(approval("newer", { created_at: "2026-12-01T09:59:30.000Z" }), "d");
    await approvals.insert(approval("older", { created_at: "2026-12-01T09:58:00.000Z" }), "d");
    await approvals.insert(approval("expired", { expires_at: "2026-12-01T09:59:59.000Z" }), "d");
    await approvals.insert(approval("answered", { status: "allowed" }), "d");
    await approvals.insert(approval("other tree", { root_task_id: "task_other" }), "d");
    expect((await approvals.listPending({ now: NOW })).map((a) => a.id)).toEqual([
      "older",
      "other tree",
      "newer",
    ]);
    expect((await approvals.listPending({ now: NOW, rootTaskId: "task_other" })).map((a) => a.id)).toEqual([
      "other tree",
    ]);
  });

  it("settles an approval once: a second answer finds it no longer pending", async () => {
    await approvals.insert(approval("approval_1"), "d");
    const allowed = await approvals.settle("approval_1", {
      status: "allowed",
      message: null,
      remember: "role",
      answeredAt: NOW.toISOString(),
    });
    expect(allowed).toMatchObject({ status: "allowed", remember: "role", answered_at: NOW.toISOString() });
    const late = await approvals.settle("approval_1", {
      status: "expired",
      message: "too late",
      answeredAt: NOW.toISOString(),
    });
    expect(late).toBeUndefined();
    expect((await approvals.find("approval_1"))?.status).toBe("allowed");
    expect(
      await approvals.settle("approval_none", {
        status: "denied",
        message: null,
        answeredAt: NOW.toISOString(),
      }),
    ).toBeUndefined();
  });

  it("keeps remembered rules, finds them by role and tool, and removes them", async () => {
    const rule = {
      id: "rule_1",
      role: "backend",
      project: null,
      tool_name: "Bash",
      command: "npm test",
      approval_id: "approval_1",
      created_at: "2026-12-01T10:00:00.000Z",
    };
    await approvals.insertRule(rule);
    await approvals.insertRule({
      ...rule,
      id: "rule_2",
      tool_name: "WebFetch",
      command: null,
      created_at: "2026-12-01T10:01:00.000Z",
    });
    await approvals.insertRule({ ...rule, id: "rule_3", role: "qa", project: "/work/shop" });
    expect((await approvals.listRules()).map((r) => r.id)).toEqual(["rule_2", "rule_1", "rule_3"]);
    expect(await approvals.listRules({ role: "backend", toolName: "Bash" })).toEqual([rule]);
    expect(await approvals.deleteRule("rule_1")).toEqual(rule);
    expect(await approvals.deleteRule("rule_1")).toBeUndefined();
    expect((await approvals.listRules({ role: "backend" })).map((r) => r.id)).toEqual(["rule_2"]);
  });
});
