import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CCA_MCP_BIN } from "./paths.js";

export interface ToolOutcome {
  text: string;
  isError: boolean;
}

/**
 * An MCP SDK client talking to the real `cca-mcp` over stdio. `cca-mcp` sends its working folder
 * as every task's project, so it runs in `cwd`: by default a fresh empty folder, never this
 * repository (whose git repository the daemon would otherwise work in).
 */
export async function connectCcaMcp(env: Record<string, string>, options: { cwd?: string } = {}) {
  const client = new Client({ name: "cca-e2e", version: "1.0.0" });
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), "cca-e2e-project-"));
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [CCA_MCP_BIN], env, cwd, stderr: "pipe" }),
  );
  return {
    client,
    async call(
      name: string,
      args: Record<string, unknown>,
      onProgress?: (message: string) => void,
    ): Promise<ToolOutcome> {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        timeout: 120_000,
        onprogress: onProgress ? (progress) => onProgress(progress.message ?? "") : undefined,
      });
      const content = result.content as { type: string; text?: string }[];
      return { text: content.map((block) => block.text ?? "").join("\n"), isError: result.isError === true };
    },
    close: () => client.close(),
  };
}
