import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CCA_MCP_BIN } from "./paths.js";

export interface ToolOutcome {
  text: string;
  isError: boolean;
}

/** An MCP SDK client talking to the real `cca-mcp` over stdio. */
export async function connectCcaMcp(env: Record<string, string>) {
  const client = new Client({ name: "cca-e2e", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [CCA_MCP_BIN], env, stderr: "pipe" }),
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
