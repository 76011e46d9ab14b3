import { describe, expect, it } from "vitest";
import { findRedundancy } from "./redundancy.js";

const read = (agentId: string, role: string, path: string, chars: number, taskId = `${role}_part`) => ({
  taskId,
  agentId,
  role,
  path,
  chars,
});
const SPEC = `The signup API: ${"POST /signup takes an email and a password; ".repeat(6)}`.trim();

describe("findRedundancy", () => {
  it("reports a file several agents read, counting each agent's first read, copies after the first saveable", () => {
    const report = findRedundancy(
      "root",
      [
        read("backend_1", "backend", "src/db.ts", 4_000),
        read("backend_1", "backend", "src/db.ts", 4_000),
        read("qa_1", "qa", "src/db.ts", 3_998),
        read("qa_1", "qa", "README.md", 800),
      ],
      [],
    );
    expect(report).toEqual({
      task_id: "root",
      items: [
        {
          kind: "file",
          what: "src/db.ts",
          recipients: [
            { task_id: "backend_part", role: "backend", agent_id: "backend_1" },
            { task_id: "qa_part", role: "qa", agent_id: "qa_1" },
          ],
          tokens_each: 1_000,
          tokens_saveable: 1_000,
          recommendation:
            "2 agents (backend, qa) each read src/db.ts: have one read it and put what the others need in their briefs, or name the lines that matter.",
        },
      ],
      tokens_saveable: 1_000,
      estimate: "chars/4",
    });
  });

  it("reports a long paragraph pasted into several parts, not short or single ones", () => {
    const parts = [
      { taskId: "p1", role: "backend", text: `Build it\n\n${SPEC}\n\nok` },
      { taskId: "p2", role: "qa", text: `Test it\n\n${SPEC}\n\nok` },
      { taskId: "p3", role: "frontend", text: `Form\n\n${SPEC}` },
      { taskId: "p4", role: "dba", text: "Tables only" },
    ];
    const report = findRedundancy("root", [], parts);
    expect(report.items).toHaveLength(1);
    expect(report.items[0]).toMatchObject({
      kind: "context",
      what: `${SPEC.slice(0, 80)}…`,
      recipients: [
        { task_id: "p1", role: "backend", agent_id: null },
        { task_id: "p2", role: "qa", agent_id: null },
        { task_id: "p3", role: "frontend", agent_id: null },
      ],
      tokens_each: Math.ceil(SPEC.length / 4),
      tokens_saveable: 2 * Math.ceil(SPEC.length / 4),
    });
    expect(report.items[0]!.recommendation).toContain("went into 3 delegations (backend, qa, frontend)");
  });

  it("finds nothing in a task whose agents each read their own files", () => {
    const report = findRedundancy(
      "root",
      [read("a", "backend", "a.ts", 10), read("b", "qa", "b.ts", 10)],
      [],
    );
    expect(report).toMatchObject({ items: [], tokens_saveable: 0 });
  });
});
