import { rmSync } from "node:fs";
import { join } from "node:path";
import { createMockAnthropic, type MockAnthropic, replyText } from "@cca/mock-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CcadProcess, eventually, processExists, startCcad } from "../support/ccad-process.js";
import { waitForTranscript } from "../support/transcript.js";

// kill -9 of the daemon on its embedded database (PGlite under $CCA_HOME/data): everything
// it had accepted is there after a restart; nothing runs twice to completion.

const has = (text: string) => (r: { lastUserText: string }) => r.lastUserText.includes(text);
const QUEUED = Array.from({ length: 10 }, (_, n) => `queued job ${String(n + 1).padStart(2, "0")}`);

let mock: MockAnthropic;
const daemons: CcadProcess[] = [];
beforeEach(async () => {
  mock = await createMockAnthropic();
});
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
  await mock.close();
});

async function start(options: { home?: string; env?: Record<string, string> } = {}): Promise<CcadProcess> {
  const daemon = await startCcad({ mockUrl: mock.url, ...options });
  daemons.push(daemon);
  return daemon;
}

/** One completed task, one running (its reply hangs), ten queued behind it; then kill -9. */
async function killWithWorkInFlight(
  env: Record<string, string> = {},
  options: { snapshotted?: boolean } = {},
) {
  mock.on({ when: has("remember the number 42"), reply: replyText("noted") });
  mock.on({ when: has("the long job"), reply: { hang: true }, times: 1 });
  mock.on({ when: has("the long job"), reply: replyText("long job done") });
  for (const job of QUEUED) mock.on({ when: has(job), reply: replyText(`done: ${job}`) });
  mock.on({ when: has("what was the number?"), reply: replyText("42") });

  const first = await start({ env });
  const { task: completed } = await first.client.createTaskAndWait({ description: "remember the number 42" });
  expect(completed.status).toBe("completed");
  const running = await first.client.createTask({ description: "the long job" });
  await mock.waitForRequest(has("the long job"));
  const queued = [];
  for (const job of QUEUED) queued.push(await first.client.createTask({ description: job }));
  const [coordinator] = await first.client.listAgents();
  // Resuming needs what Claude Code had written of the conversation before it died.
  await waitForTranscript(join(first.home, "claude-home", ".claude"), coordinator!.session_id!, "noted");
  if (options.snapshotted) {
    // The first turn's context snapshot, with its transcript, is in the database (a debug line says so).
    await eventually(() => /context snapshot saved .*transcript_bytes=[1-9]/.test(first.logs()), 10_000);
  }
  first.child.kill("SIGKILL");
  await first.stop();
  return { home: first.home, completed, running, queued, coordinator: coordinator! };
}

describe("kill -9 of the daemon, then a restart", () => {
  it("loses nothing: the finished task is kept, the queued ones run, the running one resumes, each once", async () => {
    const before = await killWithWorkInFlight();
    const second = await start({ home: before.home });
    // Its Claude Code, waiting on the hung reply, may outlive it: the restarted daemon ends it.
    await eventually(() => !processExists(before.coordinator.pid!), 10_000);

    expect(await second.client.getTask(before.completed.id)).toMatchObject({
      status: "completed",
      result: "noted",
    });
    const ended = await Promise.all(before.queued.map((task) => second.client.waitForTask(task.id, 60)));
    expect(ended.map((task) => [task.status, task.result])).toEqual(
      QUEUED.map((job) => ["completed", `done: ${job}`]),
    );
    const resumed = await second.client.waitForTask(before.running.id, 60);
    expect(resumed).toMatchObject({ status: "completed", result: "long job done" });
    for (const job of QUEUED) expect(mock.requests.filter(has(job))).toHaveLength(1);
    // The hung request, then the resumed one, told that its earlier work was cut short.
    const longJob = mock.requests.filter(has("the long job"));
    expect(longJob).toHaveLength(2);
    expect(longJob[1]!.lastUserText).toMatch(/your earlier work on this task was cut short/);

    // The Coordinator carries on its conversation: the follow-up's request holds the earlier turns.
    const { task: followUp } = await second.client.createTaskAndWait({ description: "what was the number?" });
    expect(followUp).toMatchObject({ status: "completed", result: "42", agent_id: before.coordinator.id });
    const request = await mock.waitForRequest(has("what was the number?"));
    expect(request.allUserText.join("\n")).toContain("remember the number 42");
    expect((await second.client.status()).tasks.total).toBe(13);
  });

  it('with daemon.on_restart = "interrupt", ends the task that was running as interrupted, saying why', async () => {
    const env = { CCA__DAEMON__ON_RESTART: "interrupt" };
    const before = await killWithWorkInFlight(env);
    const second = await start({ home: before.home, env });
    const interrupted = await second.client.waitForTask(before.running.id, 30);
    expect(interrupted).toMatchObject({ status: "interrupted", error: { code: "interrupted" } });
    expect(interrupted.error!.message).toMatch(
      /stopped before it finished; daemon\.on_restart = "interrupt"/,
    );
    const ended = await Promise.all(before.queued.map((task) => second.client.waitForTask(task.id, 60)));
    expect(ended.every((task) => task.status === "completed")).toBe(true);
    expect(mock.requests.filter(has("the long job"))).toHaveLength(1);
  });
});

describe("a restart after Claude Code's transcripts were lost", () => {
  it("puts the conversation back from its context snapshot, so the Coordinator still remembers", async () => {
    const before = await killWithWorkInFlight({ CCA__DAEMON__LOG_LEVEL: "debug" }, { snapshotted: true });
    // The conversation's transcript is gone; only the database's zstd snapshot keeps it.
    rmSync(join(before.home, "claude-home", ".claude", "projects"), { recursive: true, force: true });
    const second = await start({ home: before.home });
    const { task } = await second.client.createTaskAndWait({ description: "what was the number?" });
    expect(task).toMatchObject({ status: "completed", result: "42", agent_id: before.coordinator.id });
    const request = await mock.waitForRequest(has("what was the number?"));
    expect(request.allUserText.join("\n")).toContain("remember the number 42");
    expect(second.logs()).toMatch(/restored a lost transcript from its snapshot/);
  });
});

describe("kill -9 of an agent", () => {
  it("retries the task once after a restart, fails it on a second kill, and the tasks behind it still run, each once, in its resumed conversation", async () => {
    mock.on({ when: has("remember the colour blue"), reply: replyText("noted blue") });
    mock.on({ when: has("doomed turn"), reply: { hang: true } });
    mock.on({ when: has("behind it"), reply: replyText("behind done") });
    mock.on({ when: has("which colour?"), reply: replyText("blue") });
    const daemon = await start();
    await daemon.client.createTaskAndWait({ description: "remember the colour blue" });
    const doomed = await daemon.client.createTask({ description: "doomed turn" });
    await mock.waitForRequest(has("doomed turn"));
    const behind = await daemon.client.createTask({ description: "behind it" });
    const [coordinator] = await daemon.client.listAgents();
    await waitForTranscript(
      join(daemon.home, "claude-home", ".claude"),
      coordinator!.session_id!,
      "noted blue",
    );
    process.kill(coordinator!.pid!, "SIGKILL");
    // The retry, on the coordinator restarted in its conversation, hangs too: kill it again.
    await eventually(() => mock.requests.filter(has("doomed turn")).length === 2, 20_000);
    const restarted = await daemon.client.getAgent(coordinator!.id);
    expect(restarted.pid).not.toBe(coordinator!.pid);
    process.kill(restarted.pid!, "SIGKILL");
    const failed = await daemon.client.waitForTask(doomed.id, 30);
    expect(failed).toMatchObject({ status: "failed", error: { code: "agent_crashed" } });
    expect(failed.error!.message).toMatch(/again during its one retry/);
    expect(await daemon.client.waitForTask(behind.id, 30)).toMatchObject({
      status: "completed",
      result: "behind done",
    });
    const { task } = await daemon.client.createTaskAndWait({ description: "which colour?" });
    expect(task).toMatchObject({ status: "completed", result: "blue", agent_id: coordinator!.id });
    expect(mock.requests.filter(has("behind it"))).toHaveLength(1);
    expect(mock.requests.filter(has("doomed turn"))).toHaveLength(2);
  });
});

describe("a clean stop (SIGTERM) with work in flight", () => {
  it("puts the running task back in line and keeps the queued ones; a restart runs them all", async () => {
    mock.on({ when: has("slow one"), reply: { hang: true }, times: 1 });
    mock.on({ when: has("slow one"), reply: replyText("slow done") });
    mock.on({ when: has("next one"), reply: replyText("next done") });
    const first = await start();
    const slow = await first.client.createTask({ description: "slow one" });
    await mock.waitForRequest(has("slow one"));
    const next = await first.client.createTask({ description: "next one" });
    expect(await first.stop()).toBe(0);
    const second = await start({ home: first.home });
    expect(await second.client.waitForTask(slow.id, 30)).toMatchObject({
      status: "completed",
      result: "slow done",
    });
    expect(await second.client.waitForTask(next.id, 30)).toMatchObject({
      status: "completed",
      result: "next done",
    });
  });
});
