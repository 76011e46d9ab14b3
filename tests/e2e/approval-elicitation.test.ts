import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  callTool,
  claudeTestEnv,
  replyText,
  resolveClaudeBinary,
  STREAM_JSON_ARGS,
} from "@cca/mock-anthropic";
import { afterAll, describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";
import { CCA_MCP_BIN } from "../support/paths.js";

// The Coordinator may read but not run commands, so its Bash call needs an approval.
const configFolder = mkdtempSync(join(tmpdir(), "cca-e2e-elicitation-config-"));
const configPath = join(configFolder, "cca.toml");
writeFileSync(
  configPath,
  '[agents.roles.coordinator]\nallowed_tools = ["Read", "Glob", "Grep", "TodoWrite"]\n',
);
const folders = [configFolder];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface StreamLine {
  type: string;
  request_id?: string;
  request?: { subtype: string; mcp_server_name?: string; message?: string; requested_schema?: unknown };
  result?: string;
  is_error?: boolean;
}

describe("the approval inbox in a Command Center run by real Claude Code", () => {
  const t = useMockAndCcad({ env: { CCA_CONFIG: configPath } });

  it("asks the person through MCP elicitation while cca_task waits, and the answer lets the command run", async () => {
    const project = realpathSync(mkdtempSync(join(tmpdir(), "cca-e2e-elicitation-project-")));
    folders.push(project);
    const isCommandCenter = (r: { toolNames: string[] }) => r.toolNames.includes("mcp__cca__cca_task");
    t.mock.on({
      when: (r) => isCommandCenter(r) && r.toolResults.length === 0,
      reply: callTool("mcp__cca__cca_task", { description: "elicit the file" }),
    });
    t.mock.on({
      when: (r) => isCommandCenter(r) && r.toolResults.length > 0,
      reply: (r) => replyText(`CC: ${r.toolResults[0]!.content}`),
    });
    t.mock.on({
      when: (r) => r.lastUserText.includes("elicit the file") && r.toolResults.length === 0,
      reply: callTool("Bash", { command: "touch approved.txt", description: "Create the file" }),
    });
    t.mock.on({
      when: (r) => r.allUserText.join("\n").includes("elicit the file") && r.toolResults.length > 0,
      reply: (r) => replyText(`bash said (${r.toolResults[0]!.is_error ? "error" : "ok"})`),
    });

    // Claude Code in -p with stream-json forwards elicitations to its host: this test is the host.
    const mcpConfig = {
      mcpServers: { cca: { command: process.execPath, args: [CCA_MCP_BIN], env: t.ccad.clientEnv() } },
    };
    const child = spawn(
      resolveClaudeBinary(),
      [
        ...STREAM_JSON_ARGS,
        "--mcp-config",
        JSON.stringify(mcpConfig),
        "--strict-mcp-config",
        "--allowedTools",
        "mcp__cca__cca_task",
      ],
      {
        cwd: project,
        env: claudeTestEnv({ mockUrl: t.mock.url, home: project }),
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const write = (line: unknown) => child.stdin.write(`${JSON.stringify(line)}\n`);
    const elicitations: StreamLine[] = [];
    const result = new Promise<StreamLine>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (text) => {
        const line = JSON.parse(text) as StreamLine;
        if (line.type === "control_request" && line.request?.subtype === "elicitation") {
          elicitations.push(line);
          write({
            type: "control_response",
            response: {
              subtype: "success",
              request_id: line.request_id,
              response: { action: "accept", content: { decision: "allow", remember: "no" } },
            },
          });
        }
        if (line.type === "result") resolve(line);
      });
      child.once("exit", (code) =>
        reject(new Error(`claude exited (${code}) before its result:\n${stderr}`)),
      );
    });
    write({
      type: "user",
      message: { role: "user", content: "please add the file" },
      parent_tool_use_id: null,
      session_id: "",
    });
    try {
      const ended = await result;
      expect(ended.is_error).toBe(false);
      expect(ended.result).toContain("CC: bash said (ok)");
      expect(elicitations).toHaveLength(1);
      expect(elicitations[0]!.request).toMatchObject({
        mcp_server_name: "cca",
        message: expect.stringContaining("the coordinator agent"),
      });
      expect(elicitations[0]!.request!.message).toContain("wants to run `touch approved.txt`");
      const [coordinator] = (await t.ccad.client.listAgents()).filter(
        (agent) => agent.role === "coordinator",
      );
      expect(existsSync(join(coordinator!.working_dir, "approved.txt"))).toBe(true);
      expect(await t.ccad.client.listApprovals()).toEqual([]);
    } finally {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});
