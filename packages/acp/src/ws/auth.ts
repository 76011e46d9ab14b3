import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/**
 * The access token of an upgrade request: `Authorization: Bearer <token>`, else the
 * `token` query parameter (for clients that cannot set headers, such as browsers).
 */
export function readRequestToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match) return match[1];
  const query = new URL(request.url ?? "/", "http://localhost").searchParams.get("token");
  return query === null || query === "" ? undefined : query;
}

/**
 * An `authenticate` for a single shared secret, compared in constant time: the principal
 * is `"token"` when the token matches, else null.
 * @example createAcpServer({ authenticate: createTokenAuthenticator(readFileSync(tokenPath, "utf8").trim()), … })
 */
export function createTokenAuthenticator(
  expectedToken: string,
): (token: string | undefined) => "token" | null {
  if (expectedToken.length === 0) throw new Error("createTokenAuthenticator needs a non-empty token");
  const expected = Buffer.from(expectedToken);
  return (token) => {
    if (token === undefined) return null;
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected) ? "token" : null;
  };
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: 401 | 404 | 500 | 503, message: string): void {
  const reasons = {
    401: "Unauthorized",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
  };
  const body = `${message}\n`;
  const headers = [
    `HTTP/1.1 ${status} ${reasons[status]}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(status === 401 ? ['WWW-Authenticate: Bearer realm="acp"'] : []),
  ];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once("finish", () => socket.destroy());
  socket.end(`${headers.join("\r\n")}\r\n\r\n${body}`);
}
