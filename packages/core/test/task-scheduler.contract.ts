import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TaskPriority } from "../src/domain/schemas.js";
import type { ScheduledRun, SchedulerLimits, TaskScheduler } from "../src/scheduler/task-scheduler.js";
import { Collector } from "./support/collector.js";
import { RunLog } from "./support/run-log.js";
import type { DoomedDaemon } from "./support/scheduler-daemon.js";
import { closedPort, TcpProxy } from "./support/tcp-proxy.js";
import { staysPending, within } from "./support/wait.js";

/** What the TaskScheduler contract needs from an implementation. */
export interface TaskSchedulerHarness {
  /** What `health().kind` says. */
  readonly kind: string;
  /**
   * A scheduler as one daemon sees it (named `daemonName`, for the tasks pinned to its
   * agents); for a shared implementation each call is another daemon on the same line.
   */
  open(limits?: SchedulerLimits & { daemonName?: string }): Promise<TaskScheduler>;
  /** Stops every scheduler opened and removes what the test left behind. */
  dispose(): Promise<void>;
}

/** What the contract of a scheduler shared by several daemons needs on top. */
export interface SharedTaskSchedulerHarness extends TaskSchedulerHarness {
  readonly dependency: "redis" | "postgres";
  /** The service's URL, for pointing a scheduler at it through a proxy. */
  readonly serviceUrl: string;
  /** How long a task's lock lasts without renewal in the schedulers this harness opens. */
  readonly lockDurationMs: number;
  /** Another daemon on the same line, at `url` instead of the service's own URL. */
  openAt(url: string): Promise<TaskScheduler>;
  /** A daemon on the same line in another process, whose handler never returns. */
  spawnDoomedDaemon(): Promise<DoomedDaemon>;
}

/** Waits that a correct scheduler meets by far; they only bound a failing test. */
const WAIT_MS = 10_000;
/** How long to watch for something that must not happen. */
const QUIET_MS = 300;

/** Registers the behaviour every TaskScheduler must have, run against one implementation. */
export function describeTaskSchedulerContract(
  name: string,
  createHarness: () => Promise<TaskSchedulerHarness>,
): void {
  describe(`${name} (TaskScheduler contract)`, () => {
    let harness: TaskSchedulerHarness;
    /** Set only once the harness exists, so a failed setup is not followed by a second error. */
    let toDispose: TaskSchedulerHarness | undefined;
    let logs: RunLog[];
    let scheduler: TaskScheduler;
    let log: RunLog;
    beforeEach(async () => {
      toDispose = undefined;
      logs = [];
      harness = await createHarness();
      toDispose = harness;
      scheduler = await harness.open();
      log = newLog();
    });
    afterEach(async () => {
      for (const each of logs) each.releaseAll();
      await toDispose?.dispose();
    });
    const newLog = () => {
      const created = new RunLog();
      logs.push(created);
      return created;
    };

    it("hands out tasks critical first, then high, normal, low, first in first out within each", async () => {
      const order: [string, TaskPriority][] = [
        ["low-1", "low"],
        ["normal-1", "normal"],
        ["critical-1", "critical"],
        ["high-1", "high"],
        ["normal-2", "normal"],
        ["critical-2", "critical"],
      ];
      for (const [taskId, priority] of order) await scheduler.enqueue({ taskId, priority });
      await scheduler.start(log.handler);
      const runs = await log.until(6, WAIT_MS);
      expect(runs).toEqual(
        ["critical-1", "critical-2", "high-1", "normal-1", "normal-2", "low-1"].map((taskId) => ({
          taskId,
          attempt: 1,
        })),
      );
    });

    it("hands a task out once, however often it is enqueued while waiting or running", async () => {
      log.plan("twice", "hold");
      await scheduler.enqueue({ taskId: "twice", priority: "normal" });
      await scheduler.enqueue({ taskId: "twice", priority: "normal" });
      await scheduler.start(log.handler);
      await log.until(1, WAIT_MS);
      await scheduler.enqueue({ taskId: "twice", priority: "high" });
      await scheduler.enqueue({ taskId: "after", priority: "low" });
      log.release("twice");
      await log.until(2, WAIT_MS);
      expect(await staysPending(log.until(3, QUIET_MS + 1_000), QUIET_MS)).toBe(true);
      expect(log.runs).toEqual([
        { taskId: "twice", attempt: 1 },
        { taskId: "after", attempt: 1 },
      ]);
    });

    it("takes a waiting task out of line, and answers false for an unknown or started one", async () => {
      log.plan("running", "hold");
      await scheduler.enqueue({ taskId: "running", priority: "normal" });
      await scheduler.start(log.handler);
      await log.until(1, WAIT_MS);
      await scheduler.enqueue({ taskId: "waiting", priority: "normal" });
      await scheduler.enqueue({ taskId: "kept", priority: "low" });
      expect(await scheduler.remove("waiting")).toBe(true);
      expect(await scheduler.remove("waiting")).toBe(false);
      expect(await scheduler.remove("unknown")).toBe(false);
      expect(await scheduler.remove("running")).toBe(false);
      log.release("running");
      await log.until(2, WAIT_MS);
      expect(log.runs.map((run) => run.taskId)).toEqual(["running", "kept"]);
    });

    it("runs one task at a time, the next only once the handler returned", async () => {
      log.plan("first", "hold");
      log.plan("second", "hold");
      await scheduler.enqueue({ taskId: "first", priority: "normal" });
      await scheduler.enqueue({ taskId: "second", priority: "normal" });
      await scheduler.start(log.handler);
      await log.until(1, WAIT_MS);
      expect(await staysPending(log.until(2, WAIT_MS), QUIET_MS)).toBe(true);
      log.release("first");
      await log.until(2, WAIT_MS);
      log.release("second");
      expect(log.events.slice(0, 3)).toEqual(["start first", "end first", "start second"]);
    });

    it("hands a requeued task out again with attempt 2, ahead of later tasks of its priority", async () => {
      log.plan("back", "hold");
      await scheduler.enqueue({ taskId: "back", priority: "normal" });
      await scheduler.start(log.handler);
      await log.until(1, WAIT_MS);
      await scheduler.enqueue({ taskId: "later", priority: "normal" });
      log.release("back", "requeued");
      const runs = await log.until(3, WAIT_MS);
      expect(runs).toEqual([
        { taskId: "back", attempt: 1 },
        { taskId: "back", attempt: 2 },
        { taskId: "later", attempt: 1 },
      ]);
    });

    it("retries a task whose handler rejected, with attempt 2, and keeps it until it ends", async () => {
      log.plan("flaky", "reject", "reject");
      await scheduler.enqueue({ taskId: "flaky", priority: "normal" });
      await scheduler.start(log.handler);
      const runs = await log.until(3, WAIT_MS);
      expect(runs).toEqual([1, 2, 3].map((attempt) => ({ taskId: "flaky", attempt })));
      expect(await staysPending(log.until(4, QUIET_MS + 1_000), QUIET_MS)).toBe(true);
    });

    it("runs one task of a lane at a time, and other lanes side by side up to taskConcurrency", async () => {
      const wide = await harness.open({ taskConcurrency: 2 });
      for (const taskId of ["one-1", "two-1", "three-1"]) log.plan(taskId, "hold");
      await wide.enqueue({ taskId: "one-1", priority: "normal", lane: "/projects/one" });
      await wide.enqueue({ taskId: "one-2", priority: "critical", lane: "/projects/one" });
      await wide.enqueue({ taskId: "two-1", priority: "normal", lane: "/projects/two" });
      await wide.start(log.handler);
      // Within its lane one-2 comes first (critical); it ends at once, then one-1 holds the lane.
      await log.untilRan("two-1", WAIT_MS);
      await log.untilRan("one-1", WAIT_MS);
      expect(log.runs.map((run) => run.taskId).indexOf("one-2")).toBeLessThan(
        log.runs.map((run) => run.taskId).indexOf("one-1"),
      );
      await wide.enqueue({ taskId: "three-1", priority: "normal", lane: "/projects/three" });
      await wide.enqueue({ taskId: "one-3", priority: "normal", lane: "/projects/one" });
      // Both slots are taken: a third lane waits for a slot.
      expect(await staysPending(log.untilRan("three-1", WAIT_MS), QUIET_MS)).toBe(true);
      log.release("two-1");
      await log.untilRan("three-1", WAIT_MS);
      // A slot is free again, but project one's next task waits for its lane.
      expect(await staysPending(log.untilRan("one-3", WAIT_MS), QUIET_MS)).toBe(true);
      log.release("one-1");
      await log.untilRan("one-3", WAIT_MS);
      log.release("three-1");
    });

    it("runs the tasks pinned to its daemon's agents beside a running task, as many at a time as parts", async () => {
      const narrow = await harness.open({ taskConcurrency: 1, partConcurrency: 1, daemonName: "daemon-a" });
      for (const taskId of ["task", "message-1"]) log.plan(taskId, "hold");
      await narrow.enqueue({ taskId: "task", priority: "normal" });
      await narrow.start(log.handler);
      await log.untilRan("task", WAIT_MS);
      // The only task slot is taken; a message to one of this daemon's agents does not wait for it.
      await narrow.enqueue({
        taskId: "message-1",
        priority: "normal",
        daemon: "daemon-a",
        lane: "/projects/one",
      });
      await log.untilRan("message-1", WAIT_MS);
      await narrow.enqueue({ taskId: "message-2", priority: "normal", daemon: "daemon-a" });
      expect(await staysPending(log.untilRan("message-2", WAIT_MS), QUIET_MS)).toBe(true);
      expect(await narrow.remove("message-2", { daemon: "daemon-a" })).toBe(true);
      await narrow.enqueue({ taskId: "message-3", priority: "normal", daemon: "daemon-a" });
      log.release("message-1");
      await log.untilRan("message-3", WAIT_MS);
      expect(log.runs.map((run) => run.taskId)).toEqual(["task", "message-1", "message-3"]);
      log.releaseAll();
    });

    it("hands parts out at once beside their running task, several at a time, and parts of parts", async () => {
      for (const taskId of ["task", "part-1", "part-2"]) log.plan(taskId, "hold");
      await scheduler.enqueue({ taskId: "task", priority: "normal" });
      await scheduler.start(log.handler);
      await log.untilRan("task", WAIT_MS);
      await scheduler.enqueue({ taskId: "part-1", priority: "normal", parentId: "task" });
      await scheduler.enqueue({ taskId: "part-2", priority: "low", parentId: "task" });
      await log.until(3, WAIT_MS);
      await scheduler.enqueue({ taskId: "part-1a", priority: "normal", parentId: "part-1" });
      await log.untilRan("part-1a", WAIT_MS);
      expect(log.events.slice(0, 4)).toEqual(["start task", "start part-1", "start part-2", "start part-1a"]);
      log.releaseAll();
    });

    it("finishes a task's entry only once its parts' entries have: the next task waits for them", async () => {
      log.plan("task", "hold");
      log.plan("part", "hold");
      await scheduler.enqueue({ taskId: "task", priority: "normal" });
      await scheduler.start(log.handler);
      await log.untilRan("task", WAIT_MS);
      await scheduler.enqueue({ taskId: "part", priority: "normal", parentId: "task" });
      await log.untilRan("part", WAIT_MS);
      await scheduler.enqueue({ taskId: "next", priority: "normal" });
      log.release("task");
      expect(await staysPending(log.untilRan("next", WAIT_MS), QUIET_MS)).toBe(true);
      log.release("part");
      await log.untilRan("next", WAIT_MS);
      expect(log.events).toEqual([
        "start task",
        "start part",
        "end task",
        "end part",
        "start next",
        "end next",
      ]);
    });

    it("takes a waiting part out of line, after which its task's entry can finish", async () => {
      const narrow = await harness.open({ partConcurrency: 1 });
      for (const taskId of ["task", "running"]) log.plan(taskId, "hold");
      await narrow.enqueue({ taskId: "task", priority: "normal" });
      await narrow.start(log.handler);
      await log.untilRan("task", WAIT_MS);
      await narrow.enqueue({ taskId: "running", priority: "normal", parentId: "task" });
      await log.untilRan("running", WAIT_MS);
      await narrow.enqueue({ taskId: "waiting", priority: "normal", parentId: "task" });
      expect(await staysPending(log.untilRan("waiting", WAIT_MS), QUIET_MS)).toBe(true);
      expect(await narrow.remove("waiting")).toBe(true);
      await narrow.enqueue({ taskId: "next", priority: "normal" });
      log.release("running");
      log.release("task");
      await log.untilRan("next", WAIT_MS);
      expect(log.runs.map((run) => run.taskId)).toEqual(["task", "running", "next"]);
    });

    it("hands out a part whose task has no entry, and retries a part whose handler rejected", async () => {
      log.plan("orphan-part", "reject");
      await scheduler.enqueue({ taskId: "orphan-part", priority: "normal", parentId: "no-such-task" });
      await scheduler.start(log.handler);
      const runs = await log.until(2, WAIT_MS);
      expect(runs).toEqual([1, 2].map((attempt) => ({ taskId: "orphan-part", attempt })));
    });

    it("stops once the handler in progress returned, and hands out nothing after", async () => {
      log.plan("in-progress", "hold");
      await scheduler.enqueue({ taskId: "in-progress", priority: "normal" });
      await scheduler.enqueue({ taskId: "left", priority: "normal" });
      await scheduler.start(log.handler);
      await log.until(1, WAIT_MS);
      const stopping = scheduler.stop();
      expect(await staysPending(stopping, QUIET_MS)).toBe(true);
      log.release("in-progress");
      await within(stopping, WAIT_MS, () => "stop() to resolve");
      expect(log.events).toEqual(["start in-progress", "end in-progress"]);
      await expect(scheduler.enqueue({ taskId: "late", priority: "high" })).rejects.toMatchObject({
        code: "shutting_down",
      });
    });

    it("refuses a task with an unknown priority, naming the known ones", async () => {
      await expect(scheduler.enqueue({ taskId: "t", priority: "urgent" as TaskPriority })).rejects.toThrow(
        /Unknown priority "urgent".*critical, high, normal, low/,
      );
    });

    it("reports itself up", async () => {
      expect(await scheduler.health()).toEqual({ kind: harness.kind, up: true });
    });
  });
}

/** Registers what a TaskScheduler shared by several daemons must do besides. */
export function describeSharedTaskSchedulerContract(
  name: string,
  createHarness: () => Promise<SharedTaskSchedulerHarness>,
): void {
  describe(`${name} (shared TaskScheduler contract)`, () => {
    let harness: SharedTaskSchedulerHarness;
    let toDispose: SharedTaskSchedulerHarness | undefined;
    let logs: RunLog[];
    let unhandled: unknown[];
    const onUnhandled = (error: unknown) => unhandled.push(error);
    beforeEach(async () => {
      toDispose = undefined;
      logs = [];
      unhandled = [];
      process.on("unhandledRejection", onUnhandled);
      process.on("uncaughtException", onUnhandled);
      harness = await createHarness();
      toDispose = harness;
    });
    afterEach(async () => {
      for (const each of logs) each.releaseAll();
      try {
        await toDispose?.dispose();
      } finally {
        process.off("unhandledRejection", onUnhandled);
        process.off("uncaughtException", onUnhandled);
      }
      expect(unhandled).toEqual([]);
    });
    const newLog = () => {
      const created = new RunLog();
      logs.push(created);
      return created;
    };
    /**
     * Two started daemons A and B on the line, each holding `held` when handed them; `all`
     * records every run with the daemon it went to.
     */
    const twoHoldingDaemons = async (held: string[], limits?: SchedulerLimits) => {
      const daemons = { A: await harness.open(limits), B: await harness.open(limits) };
      const logsOf = { A: newLog(), B: newLog() };
      const all = new Collector<{ daemon: "A" | "B" } & ScheduledRun>();
      for (const daemon of ["A", "B"] as const) {
        for (const taskId of held) logsOf[daemon].plan(taskId, "hold");
        await daemons[daemon].start((run) => {
          all.handler({ daemon, ...run });
          return logsOf[daemon].handler(run);
        });
      }
      return { ...daemons, logsOf, all };
    };

    it("shares the tasks between two daemons, handing each task to one of them once", async () => {
      const daemonA = await harness.open();
      const daemonB = await harness.open();
      const logA = newLog();
      const logB = newLog();
      const all = new Collector<{ daemon: string } & ScheduledRun>();
      const taskIds = Array.from({ length: 6 }, (_, index) => `t${index}`);
      // Each daemon holds its first task until the other one has a task too, so both get work.
      for (const taskId of taskIds) {
        logA.plan(taskId, "hold");
        logB.plan(taskId, "hold");
      }
      const handlerOf = (daemon: string, own: RunLog) => async (run: ScheduledRun) => {
        const running = own.handler(run);
        all.handler({ daemon, ...run });
        if (logA.runs.length > 0 && logB.runs.length > 0) {
          logA.releaseAll();
          logB.releaseAll();
        }
        return await running;
      };
      await daemonA.start(handlerOf("A", logA));
      await daemonB.start(handlerOf("B", logB));
      for (const taskId of taskIds) await daemonA.enqueue({ taskId, priority: "normal" });
      const runs = await all.until(taskIds.length, WAIT_MS);
      expect(runs.map((run) => run.taskId).sort()).toEqual(taskIds);
      expect(runs.every((run) => run.attempt === 1)).toBe(true);
      expect(new Set(runs.map((run) => run.daemon))).toEqual(new Set(["A", "B"]));
      expect(await staysPending(all.until(taskIds.length + 1, QUIET_MS + 1_000), QUIET_MS)).toBe(true);
    });

    it("hands the task of a daemon killed mid-run to another, with attempt > 1", async () => {
      const doomed = await harness.spawnDoomedDaemon();
      const survivor = await harness.open();
      await survivor.enqueue({ taskId: "orphan", priority: "high" });
      expect(await within(doomed.firstRun, WAIT_MS, () => "the doomed daemon to take the task")).toEqual({
        taskId: "orphan",
        attempt: 1,
      });
      await doomed.kill();
      const log = newLog();
      await survivor.start(log.handler);
      const [run] = await log.until(1, harness.lockDurationMs * 3 + WAIT_MS);
      expect(run?.taskId).toBe("orphan");
      expect(run?.attempt).toBeGreaterThan(1);
    }, 40_000);

    it("leaves the tasks a stopped daemon did not start to the other daemons", async () => {
      const leaving = await harness.open();
      const staying = await harness.open();
      const leavingLog = newLog();
      leavingLog.plan("running", "hold");
      await leaving.enqueue({ taskId: "running", priority: "normal" });
      await leaving.enqueue({ taskId: "waiting", priority: "normal" });
      await leaving.start(leavingLog.handler);
      await leavingLog.until(1, WAIT_MS);
      const stopping = leaving.stop();
      leavingLog.release("running", "requeued");
      await within(stopping, WAIT_MS, () => "stop() to resolve");
      const stayingLog = newLog();
      await staying.start(stayingLog.handler);
      const runs = await stayingLog.until(2, WAIT_MS);
      expect(runs).toEqual([
        { taskId: "running", attempt: 2 },
        { taskId: "waiting", attempt: 1 },
      ]);
    });

    it("runs one task of a project's lane at a time across daemons, and lanes side by side", async () => {
      const { A, B, logsOf, all } = await twoHoldingDaemons(["one-1", "one-2", "two-1"]);
      // Each daemon serves a lane once it has seen a task of it: both serve project one's.
      await A.enqueue({ taskId: "one-1", priority: "normal", lane: "/projects/one" });
      await all.until(1, WAIT_MS);
      await B.enqueue({ taskId: "one-2", priority: "normal", lane: "/projects/one" });
      await B.enqueue({ taskId: "two-1", priority: "normal", lane: "/projects/two" });
      const runs = await all.until(2, WAIT_MS);
      expect(runs.map((run) => run.taskId).sort()).toEqual(["one-1", "two-1"]);
      // B is free and serves the lane, but the lane's second task waits for its first.
      expect(await staysPending(all.until(3, WAIT_MS), QUIET_MS)).toBe(true);
      logsOf[runs.find((run) => run.taskId === "one-1")!.daemon].release("one-1");
      const [, , third] = await all.until(3, WAIT_MS);
      expect(third?.taskId).toBe("one-2");
    });

    it("runs a task pinned to a daemon's agent on that daemon only, whoever put it in line", async () => {
      const A = await harness.open({ daemonName: "daemon-a" });
      const B = await harness.open({ daemonName: "daemon-b" });
      const all = new Collector<{ daemon: string } & ScheduledRun>();
      for (const [name, daemon] of [
        ["daemon-a", A],
        ["daemon-b", B],
      ] as const) {
        await daemon.start(async (run) => {
          all.handler({ daemon: name, ...run });
          return "ended";
        });
      }
      const messages = ["m1", "m2", "m3", "m4"];
      for (const taskId of messages) await B.enqueue({ taskId, priority: "normal", daemon: "daemon-a" });
      await B.enqueue({ taskId: "m5", priority: "normal", daemon: "daemon-b" });
      const runs = await all.until(5, WAIT_MS);
      expect(
        runs
          .filter((run) => run.daemon === "daemon-a")
          .map((run) => run.taskId)
          .sort(),
      ).toEqual(messages);
      expect(runs.filter((run) => run.daemon === "daemon-b").map((run) => run.taskId)).toEqual(["m5"]);
    });

    it("runs a task's parts on any daemon", async () => {
      const { A, all } = await twoHoldingDaemons(["task", "part-1", "part-2"], { partConcurrency: 1 });
      await A.enqueue({ taskId: "task", priority: "normal" });
      await all.until(1, WAIT_MS);
      // Each daemon runs one part at a time: while one holds the first part, the other takes the second.
      await A.enqueue({ taskId: "part-1", priority: "normal", parentId: "task" });
      await A.enqueue({ taskId: "part-2", priority: "normal", parentId: "task" });
      const runs = await all.until(3, WAIT_MS);
      const parts = runs.filter((run) => run.taskId !== "task");
      expect(parts.map((run) => run.taskId).sort()).toEqual(["part-1", "part-2"]);
      expect(new Set(parts.map((run) => run.daemon))).toEqual(new Set(["A", "B"]));
    });

    it("hands the part of a daemon killed mid-run to another, while its task runs on", async () => {
      const survivor = await harness.open({ partConcurrency: 1 });
      const log = newLog();
      for (const taskId of ["task", "busy-part"]) log.plan(taskId, "hold");
      await survivor.start(log.handler);
      await survivor.enqueue({ taskId: "task", priority: "normal" });
      await log.untilRan("task", WAIT_MS);
      await survivor.enqueue({ taskId: "busy-part", priority: "normal", parentId: "task" });
      await log.untilRan("busy-part", WAIT_MS);
      // The survivor's part slot is taken, so the doomed daemon gets the next part.
      const doomed = await harness.spawnDoomedDaemon();
      await survivor.enqueue({ taskId: "orphan-part", priority: "normal", parentId: "task" });
      expect(await within(doomed.firstRun, WAIT_MS, () => "the doomed daemon to take the part")).toEqual({
        taskId: "orphan-part",
        attempt: 1,
      });
      await doomed.kill();
      log.release("busy-part");
      const rerun = await log.untilRan("orphan-part", harness.lockDurationMs * 3 + WAIT_MS);
      expect(rerun.attempt).toBeGreaterThan(1);
      await survivor.enqueue({ taskId: "next", priority: "normal" });
      log.release("task");
      await log.untilRan("next", WAIT_MS);
      expect(log.runs.map((run) => run.taskId)).toEqual(["task", "busy-part", "orphan-part", "next"]);
    }, 40_000);

    it("rejects enqueue and remove with dependency_unavailable, quickly, when the service is down", async () => {
      const url = new URL(harness.serviceUrl);
      url.port = String(await closedPort());
      url.password = "secret-password";
      const scheduler = await harness.openAt(url.toString());
      const log = newLog();
      await scheduler.start(log.handler);
      const unavailable = {
        code: "dependency_unavailable",
        details: { dependency: harness.dependency },
        message: expect.stringMatching(/^(Redis|PostgreSQL) at \S+:\d+\S* is unavailable: .+/),
      };
      const failed = scheduler.enqueue({ taskId: "t", priority: "normal" });
      await expect(within(failed, WAIT_MS, () => "enqueue to give up")).rejects.toMatchObject(unavailable);
      const message = await failed.catch((error: Error) => error.message);
      expect(message).not.toContain("secret-password");
      await expect(within(scheduler.remove("t"), WAIT_MS, () => "remove to give up")).rejects.toMatchObject(
        unavailable,
      );
      const health = await within(scheduler.health(), WAIT_MS, () => "health()");
      expect(health).toMatchObject({
        kind: harness.kind,
        up: false,
        error: expect.stringContaining("unavailable"),
      });
      await within(scheduler.stop(), WAIT_MS, () => "stop() to resolve");
      expect(log.runs).toEqual([]);
    });

    /** A proxy to the service, and the service's URL with the proxy's port. */
    const proxyToService = async () => {
      const service = new URL(harness.serviceUrl);
      const proxy = new TcpProxy({
        host: service.hostname,
        port: Number(service.port || (harness.dependency === "redis" ? 6379 : 5432)),
      });
      await proxy.start();
      const viaProxy = new URL(harness.serviceUrl);
      viaProxy.port = String(proxy.port);
      return { proxy, url: viaProxy.toString() };
    };
    /** Enqueues through `scheduler` until it works (its connection may still be waiting to reconnect). */
    const enqueueOnceUp = (scheduler: TaskScheduler, taskId: string) =>
      within(
        (async () => {
          for (;;) {
            try {
              return await scheduler.enqueue({ taskId, priority: "normal" });
            } catch {
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
        })(),
        40_000,
        () => `enqueue of ${taskId} to work again`,
      );

    it("carries on by itself once the service is back after an outage", async () => {
      const { proxy, url } = await proxyToService();
      try {
        const cut = await harness.openAt(url);
        const direct = await harness.open();
        const log = newLog();
        await cut.start(log.handler);
        await cut.enqueue({ taskId: "before", priority: "normal" });
        await log.until(1, WAIT_MS);

        await proxy.stop();
        await expect(
          within(cut.enqueue({ taskId: "during", priority: "normal" }), WAIT_MS, () => "enqueue"),
        ).rejects.toMatchObject({ code: "dependency_unavailable" });
        expect(await within(cut.health(), WAIT_MS, () => "health()")).toMatchObject({ up: false });
        await direct.enqueue({ taskId: "queued-meanwhile", priority: "normal" });

        await proxy.start();
        expect(await log.untilRan("queued-meanwhile", 40_000)).toEqual({
          taskId: "queued-meanwhile",
          attempt: 1,
        });
        await enqueueOnceUp(cut, "after");
        expect(await log.untilRan("after", WAIT_MS)).toEqual({ taskId: "after", attempt: 1 });
        expect(await cut.health()).toEqual({ kind: harness.kind, up: true });
        // "before" may come again (attempt 2): its end may not have been recorded when the
        // connection was cut. That is the at-least-once promise; nothing else may repeat.
        const repeated = log.runs.filter((run) => run.attempt > 1).map((run) => run.taskId);
        expect(repeated.every((taskId) => taskId === "before")).toBe(true);
      } finally {
        await proxy.stop();
      }
    }, 120_000);

    it("starts while the service is down, and works once it is up", async () => {
      const { proxy, url } = await proxyToService();
      await proxy.stop();
      try {
        const cut = await harness.openAt(url);
        const direct = await harness.open();
        const log = newLog();
        await cut.start(log.handler);
        await expect(
          within(cut.enqueue({ taskId: "too-early", priority: "normal" }), WAIT_MS, () => "enqueue"),
        ).rejects.toMatchObject({ code: "dependency_unavailable" });
        await direct.enqueue({ taskId: "waiting-for-it", priority: "normal" });

        await proxy.start();
        expect(await log.untilRan("waiting-for-it", 40_000)).toEqual({
          taskId: "waiting-for-it",
          attempt: 1,
        });
        await enqueueOnceUp(cut, "through-it");
        expect(await log.untilRan("through-it", WAIT_MS)).toEqual({ taskId: "through-it", attempt: 1 });
        expect(log.runs.map((run) => run.taskId)).not.toContain("too-early");
      } finally {
        await proxy.stop();
      }
    }, 120_000);
  });
}
