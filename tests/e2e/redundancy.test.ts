import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RecordedRequest, replyText } from "@cca/mock-anthropic";
import { afterEach, describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";

const DELEGATE = "mcp__cca__cca_delegate";
const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");
const qa = isRole("QA specialist");
const SCHEMA = `export const users = table("users", { id: serial(), email: text().unique() });\n`.repeat(40);
const SPEC =
  "The signup API: POST /signup takes an email and a password, stores the user, and answers 201 with the new id; a second signup with the same email answers 409, and a password under 12 characters answers 422.";

const t = useMockAndCcad();
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A git repository whose src/db.ts both specialists will read. */
function userProject(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "cca-e2e-redundancy-")));
  folders.push(root);
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src", "db.ts"), SCHEMA);
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=user", "-c", "user.email=user@example.com", ...args], {
      cwd: root,
    });
  git("init", "-q", "--initial-branch=main");
  git("add", ".");
  git("commit", "-q", "-m", "start");
  return root;
}

const workingDirectory = (r: RecordedRequest) =>
  /Primary working directory: (.+)/.exec(r.systemText)?.[1]?.trim() ?? "";

/** A specialist reads src/db.ts in its own worktree, then answers. */
function specialistReadsSchema(role: (r: RecordedRequest) => boolean, answer: string): void {
  t.mock.on({
    when: (r) => role(r) && r.toolResults.length === 0,
    reply: (r) => ({
      toolUses: [{ name: "Read", input: { file_path: join(workingDirectory(r), "src", "db.ts") } }],
    }),
  });
  t.mock.on({ when: (r) => role(r) && r.toolResults.length > 0, reply: replyText(answer) });
}

describe("redundancy across agents with real Claude Code", () => {
  it("reports the file two specialists both read and the context pasted into both parts", async () => {
    const project = userProject();
    t.mock.on({
      when: (r) => coordinator(r) && r.toolResults.length === 0,
      reply: {
        toolUses: [
          { name: DELEGATE, input: { role: "backend", task: "Build POST /signup", context: SPEC } },
          { name: DELEGATE, input: { role: "qa", task: "Test POST /signup", context: SPEC } },
        ],
      },
    });
    t.mock.on({ when: (r) => coordinator(r) && r.toolResults.length > 0, reply: replyText("both done") });
    specialistReadsSchema(backend, "ENDPOINT BUILT");
    specialistReadsSchema(qa, "TESTS WRITTEN");

    const { task } = await t.ccad.client.createTaskAndWait({
      description: "Ship signup",
      project_dir: project,
      timeout_s: 120,
    });
    expect(task.status, JSON.stringify(task.error)).toBe("completed");
    // Each Read came back whole: the file the agents were sent.
    const readResults = t.mock.requests.filter((r) => (backend(r) || qa(r)) && r.toolResults.length > 0);
    expect(readResults.map((r) => r.toolResults[0]?.is_error)).toEqual([false, false]);

    const report = await t.ccad.client.taskRedundancy(task.id);
    const byKind = Object.fromEntries(report.items.map((item) => [item.kind, item]));
    expect(byKind.file).toMatchObject({ what: "src/db.ts" });
    expect(byKind.file!.recipients.map((one) => one.role).sort()).toEqual(["backend", "qa"]);
    // Claude Code numbers the lines it sends, so a read costs more than the file's own characters.
    expect(byKind.file!.tokens_each).toBeGreaterThanOrEqual(Math.ceil(SCHEMA.length / 4));
    expect(byKind.file!.tokens_saveable).toBe(byKind.file!.tokens_each);
    expect(byKind.context).toMatchObject({
      what: `${SPEC.slice(0, 80)}…`,
      tokens_each: Math.ceil(SPEC.length / 4),
      tokens_saveable: Math.ceil(SPEC.length / 4),
    });
    expect(report).toMatchObject({
      estimate: "chars/4",
      tokens_saveable: byKind.file!.tokens_saveable + byKind.context!.tokens_saveable,
    });
  });
});
