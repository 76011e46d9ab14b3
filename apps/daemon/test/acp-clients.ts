import { ErrorCodes, isRpcError } from "@cca/acp";
import { connectAcpClient } from "@cca/acp/ws";
import { expect } from "vitest";
import { agentCredentialOf, type TestDaemon } from "./support.js";

/**
 * ACP clients of a test daemon: with the daemon's access token, as a tool connects, or with
 * an agent's own credential, as its bridge does. `daemon` gives the test's current daemon.
 */
export function acpClientsOf(daemon: () => TestDaemon) {
  const acpUrl = () => `${daemon().daemon.url.replace(/^http/, "ws")}/acp`;
  /** The credential the daemon gave an agent's bridge. */
  const credentialOf = (agentId: string): string => agentCredentialOf(daemon().home, agentId);
  return {
    acpUrl,
    credentialOf,
    connect: () => connectAcpClient({ url: acpUrl(), token: daemon().daemon.token, reconnect: false }),
    /** An ACP client that speaks with an agent's own credential. */
    connectAs: (agentId: string) =>
      connectAcpClient({ url: acpUrl(), token: credentialOf(agentId), reconnect: false }),
  };
}

/** The application error an ACP request was refused with; fails the test if it was not refused. */
export async function failureOf(request: Promise<unknown>): Promise<Error & { data: unknown }> {
  const error = await request.then(
    () => new Error("expected the request to be refused"),
    (e: unknown) => e,
  );
  expect(isRpcError(error, ErrorCodes.ApplicationError), String(error)).toBe(true);
  return error as Error & { data: unknown };
}
