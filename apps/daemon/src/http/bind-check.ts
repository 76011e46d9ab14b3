import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { CcaError, type Logger } from "@cca/core";

/** Whether an IP address is a loopback one (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.toLowerCase().replace(/^\[|\]$/g, "");
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || /^::ffff:127\./.test(bare) || bare === "0:0:0:0:0:0:0:1";
  return false;
}

/**
 * Whether `host` (from `daemon.bind_address`) listens on loopback only: a loopback IP, or a
 * name whose every address is one (`localhost`). An unspecified address (`0.0.0.0`, `::`)
 * listens on every interface, so it is not.
 */
export async function isLoopbackHost(host: string): Promise<boolean> {
  if (isIP(host.replace(/^\[|\]$/g, "")) !== 0) return isLoopbackAddress(host);
  try {
    const addresses = await lookup(host, { all: true });
    return addresses.length > 0 && addresses.every((entry) => isLoopbackAddress(entry.address));
  } catch {
    // A name that does not resolve fails to bind anyway; it is not known to be loopback.
    return false;
  }
}

/**
 * Refuses a non-loopback `daemon.bind_address` unless `daemon.allow_remote` is true, and
 * warns when it is: the API then answers the network, guarded by the access token alone,
 * over plain HTTP.
 * @throws CcaError `invalid_config` naming `daemon.allow_remote`.
 */
export async function checkBindAddress(
  daemon: { bind_address: string; allow_remote: boolean },
  host: string,
  logger: Logger,
): Promise<void> {
  if (await isLoopbackHost(host)) return;
  if (!daemon.allow_remote) {
    throw new CcaError(
      "invalid_config",
      `daemon.bind_address = "${daemon.bind_address}" is not a loopback address: ccad would answer the network. Bind to 127.0.0.1 (the default), or set daemon.allow_remote = true (CCA__DAEMON__ALLOW_REMOTE=true) to allow it on purpose.`,
      { details: { bind_address: daemon.bind_address, key: "daemon.allow_remote" } },
    );
  }
  logger.warn(
    "ccad listens on a non-loopback address (daemon.allow_remote = true): anyone who can reach it and holds the access token controls the agents, and the API is plain HTTP; put TLS and a firewall in front of it",
    { bind_address: daemon.bind_address },
  );
}
