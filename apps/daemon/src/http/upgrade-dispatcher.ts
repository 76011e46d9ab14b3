import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { refuseUpgrade } from "@cca/acp/ws";

/** One WebSocket endpoint of the daemon: which paths are its, and what takes their upgrades. */
export interface UpgradeRoute {
  /** What the endpoint is, for the 404 of an unknown path (e.g. "ACP at /acp"). */
  describe: string;
  matches(pathname: string): boolean;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * The daemon's one `upgrade` listener: hands each WebSocket upgrade to the endpoint whose
 * path it is, and answers any other path 404, naming the endpoints. Returns the function that
 * removes it.
 */
export function attachUpgradeDispatcher(server: Server, routes: readonly UpgradeRoute[]): () => void {
  const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const route = routes.find((candidate) => candidate.matches(pathname));
    if (route) {
      route.handleUpgrade(request, socket, head);
      return;
    }
    socket.on("error", () => {});
    refuseUpgrade(
      socket,
      404,
      `No WebSocket endpoint at ${pathname}; the daemon serves ${routes.map((known) => known.describe).join(" and ")}`,
    );
  };
  server.on("upgrade", listener);
  return () => server.off("upgrade", listener);
}
