import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { arch, platform } from "node:process";

const WRAPPER_PACKAGE = "@anthropic-ai/claude-code";
// The wrapper's bin/claude.exe is a tiny shell stub until its postinstall copies the native
// binary over it; pnpm with --ignore-scripts leaves the stub in place.
const STUB_MAX_BYTES = 4096;

function platformKey(): string {
  if (platform !== "linux") return `${platform}-${arch}`;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const musl = report !== undefined && report.header?.glibcVersionRuntime === undefined;
  return `linux-${arch}${musl ? "-musl" : ""}`;
}

function isNativeBinary(path: string): boolean {
  return existsSync(path) && statSync(path).size > STUB_MAX_BYTES;
}

/**
 * The absolute path of the pinned Claude Code CLI (the `@anthropic-ai/claude-code`
 * devDependency of this package). Uses the wrapper's `bin` when its postinstall has run,
 * otherwise the native binary inside the platform package (e.g.
 * `@anthropic-ai/claude-code-linux-x64/claude`), which is the same program.
 */
export function resolveClaudeBinary(): string {
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${WRAPPER_PACKAGE}/package.json`);
  } catch (cause) {
    throw new Error(
      `Cannot find ${WRAPPER_PACKAGE} from @cca/mock-anthropic; run \`pnpm install\` at the repository root`,
      { cause },
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    version?: string;
    bin?: Record<string, string>;
  };
  const wrapperBin = join(dirname(manifestPath), manifest.bin?.claude ?? "bin/claude.exe");
  if (isNativeBinary(wrapperBin)) return wrapperBin;

  const platformPackage = `${WRAPPER_PACKAGE}-${platformKey()}`;
  const executable = platform === "win32" ? "claude.exe" : "claude";
  try {
    const platformManifest = createRequire(manifestPath).resolve(`${platformPackage}/package.json`);
    const nativeBin = join(dirname(platformManifest), executable);
    if (isNativeBinary(nativeBin)) return nativeBin;
  } catch {
    // Reported below with what to do.
  }
  throw new Error(
    `Claude Code ${manifest.version ?? ""} is installed without its native binary: ${wrapperBin} is the ` +
      `postinstall stub and ${platformPackage} has no ${executable}. Reinstall with optional dependencies ` +
      `(\`pnpm install\`), or run \`node ${join(dirname(manifestPath), "install.cjs")}\``,
  );
}

/**
 * Claude Code headless, stream-json both ways (one JSON message per line in and out, every
 * event shown): what a test or benchmark passes before its own arguments.
 */
export const STREAM_JSON_ARGS: readonly string[] = [
  "-p",
  "--input-format",
  "stream-json",
  "--output-format",
  "stream-json",
  "--verbose",
];
