import { type Env, loadConfig, resolveDaemonUrl } from "@cca/core";

/** Where the daemon is, and whether someone said so (flag or environment) or it came from the config. */
export interface DaemonLocation {
  url: string;
  /** True when `--daemon-url` or `$CCA_DAEMON_URL` named it; false when derived from `daemon.bind_address`. */
  explicit: boolean;
}

/**
 * The daemon's URL: `--daemon-url`, else `$CCA_DAEMON_URL`, else `http://` + the config's
 * `daemon.bind_address` (a wildcard bind address is reached over loopback).
 */
export function locateDaemon(options: { flag?: string; env: Env; cwd: string }): DaemonLocation {
  const flag = options.flag?.trim();
  if (flag) return { url: flag.replace(/\/+$/, ""), explicit: true };
  if (options.env.CCA_DAEMON_URL?.trim()) return { url: resolveDaemonUrl(options.env), explicit: true };
  const { config } = loadConfig({ env: options.env, cwd: options.cwd });
  return { url: urlForBindAddress(config.daemon.bind_address), explicit: false };
}

/** `http://host:port` for a bind address; `0.0.0.0` and `[::]` become their loopback twins. */
export function urlForBindAddress(bindAddress: string): string {
  const separator = bindAddress.lastIndexOf(":");
  const host = bindAddress.slice(0, separator);
  const port = bindAddress.slice(separator + 1);
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "[::]" ? "[::1]" : host;
  return `http://${reachable}:${port}`;
}

/** The `host:port` a daemon must bind so that it answers at `url`. */
export function bindAddressForUrl(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return `${parsed.hostname}:${port}`;
}
