import { describe, expect, it } from "vitest";
import { UsageError } from "../command-line.js";
import { readAgentCredential } from "./bridge-session.js";

describe("readAgentCredential", () => {
  it("reads the agent's credential from CCA_AGENT_TOKEN", () => {
    expect(readAgentCredential({ CCA_AGENT_TOKEN: " agent-secret \n" })).toBe("agent-secret");
  });

  it("does not fall back to the daemon's access token, and says where the credential comes from", () => {
    const read = () => readAgentCredential({ CCA_TOKEN: "daemon-token", CCA_HOME: "/nowhere" });
    expect(read).toThrow(UsageError);
    expect(read).toThrow(
      "cca-mcp --agent needs the agent's credential in CCA_AGENT_TOKEN; the daemon sets it in the MCP config it gives each agent's Claude Code (the daemon's access token, CCA_TOKEN, cannot act as an agent)",
    );
  });
});
