import { noopLogger } from "@cca/core";
import type { AgentRepository } from "@cca/memory";
import { describe, expect, it } from "vitest";
import { AgentRecords } from "./agent-records.js";
import { busyAgent } from "./test-support/busy-agent.js";

/** A repository that records what was written and in which order. */
function recordingRepository(): {
  repository: AgentRepository;
  written: string[];
  firstWrite: Promise<void>;
} {
  const written: string[] = [];
  let wrote = () => {};
  const firstWrite = new Promise<void>((resolve) => {
    wrote = resolve;
  });
  const repository = {
    save: async (agent: { state: string }) => {
      written.push(agent.state);
      wrote();
    },
    markResumable: async (id: string) => {
      written.push(`resumable ${id}`);
    },
  } as unknown as AgentRepository;
  return { repository, written, firstWrite };
}

describe("AgentRecords", () => {
  it("writes a burst of changes once, as the last of them", async () => {
    const { repository, written } = recordingRepository();
    const records = new AgentRecords({ repository, daemon: "d", logger: noopLogger, batchMs: 60_000 });
    const agent = busyAgent("backend_1", "backend", "/tmp");
    for (const state of ["starting", "ready", "busy", "ready"] as const) records.save({ ...agent, state });
    expect(written).toEqual([]);
    await records.flush();
    expect(written).toEqual(["ready"]);
  });

  it("writes what is pending before marking a conversation resumable", async () => {
    const { repository, written } = recordingRepository();
    const records = new AgentRecords({ repository, daemon: "d", logger: noopLogger, batchMs: 60_000 });
    records.save({ ...busyAgent("backend_1", "backend", "/tmp"), state: "stopped" });
    await records.keep("backend_1");
    expect(written).toEqual(["stopped", "resumable backend_1"]);
  });

  it("writes by itself once the batch time has passed", async () => {
    const { repository, written, firstWrite } = recordingRepository();
    const records = new AgentRecords({ repository, daemon: "d", logger: noopLogger, batchMs: 1 });
    records.save({ ...busyAgent("backend_1", "backend", "/tmp"), state: "ready" });
    await firstWrite;
    expect(written).toEqual(["ready"]);
  });
});
