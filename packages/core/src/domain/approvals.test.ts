import { describe, expect, it } from "vitest";
import { type ApprovalRule, describeToolUse, ruleFor, ruleMatches } from "./approvals.js";

const rule = (fields: Partial<ApprovalRule>): ApprovalRule => ({
  id: "rule_1",
  role: "backend",
  project: null,
  tool_name: "Bash",
  command: "npm test",
  approval_id: null,
  created_at: "2026-12-01T10:00:00.000Z",
  ...fields,
});
const use = (fields: {
  role?: string;
  project?: string | null;
  tool_name?: string;
  input?: Record<string, unknown>;
}) => ({
  role: "backend",
  project: "/work/shop",
  tool_name: "Bash",
  input: { command: "npm test" },
  ...fields,
});

describe("ruleMatches", () => {
  it("allows a Bash command only when it is the rule's exact command", () => {
    expect(ruleMatches(rule({}), use({ input: { command: "  npm test " } }))).toBe(true);
    expect(ruleMatches(rule({}), use({ input: { command: "npm test; rm -rf ~" } }))).toBe(false);
    expect(ruleMatches(rule({}), use({ input: { command: "npm" } }))).toBe(false);
    expect(ruleMatches(rule({ command: null }), use({}))).toBe(false);
  });

  it("allows any use of another tool by name", () => {
    const fetchRule = rule({ tool_name: "WebFetch", command: null });
    expect(
      ruleMatches(fetchRule, use({ tool_name: "WebFetch", input: { url: "https://example.com" } })),
    ).toBe(true);
    expect(ruleMatches(fetchRule, use({ tool_name: "WebSearch", input: { query: "x" } }))).toBe(false);
  });

  it("serves only its role, and a project rule only its project", () => {
    expect(ruleMatches(rule({}), use({ role: "qa" }))).toBe(false);
    expect(ruleMatches(rule({ project: "/work/shop" }), use({}))).toBe(true);
    expect(ruleMatches(rule({ project: "/work/shop" }), use({ project: "/work/other" }))).toBe(false);
    expect(ruleMatches(rule({ project: "/work/shop" }), use({ project: null }))).toBe(false);
    expect(ruleMatches(rule({ project: null }), use({ project: null }))).toBe(true);
  });
});

describe("ruleFor", () => {
  it("remembers a Bash command exactly, for the role or the role in its project", () => {
    const approval = {
      role: "backend",
      project: "/work/shop",
      tool_name: "Bash",
      input: { command: " npm test " },
    };
    expect(ruleFor(approval, "role")).toEqual({
      role: "backend",
      project: null,
      tool_name: "Bash",
      command: "npm test",
    });
    expect(ruleFor(approval, "project")).toMatchObject({ project: "/work/shop" });
    expect(
      ruleFor({ ...approval, tool_name: "WebFetch", input: { url: "https://x" } }, "role").command,
    ).toBeNull();
  });
});

describe("describeToolUse", () => {
  it("says what a tool use does in a few words", () => {
    expect(describeToolUse("Bash", { command: "npm install\n  left-pad" })).toBe(
      "run `npm install left-pad`",
    );
    expect(describeToolUse("WebFetch", { url: "https://example.com", prompt: "x" })).toBe(
      "fetch https://example.com (WebFetch)",
    );
    expect(describeToolUse("NotebookEdit", { notebook_path: "/p/a.ipynb" })).toBe(
      "edit /p/a.ipynb (NotebookEdit)",
    );
    expect(describeToolUse("WebSearch", { query: "zod v4" })).toBe("use WebSearch: zod v4");
    expect(describeToolUse("mcp__x__y", {})).toBe("use mcp__x__y");
  });
});
