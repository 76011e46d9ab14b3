import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { PtyError } from "./errors.js";

/** The largest width or height accepted, in cells: beyond it the emulator's memory is the limit. */
export const MAX_DIMENSION = 2000;

export function assertDimension(name: "cols" | "rows", value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_DIMENSION) {
    throw new PtyError(
      "invalid_argument",
      `${name} must be an integer from 1 to ${MAX_DIMENSION}, got ${describe(value)}`,
      { details: { [name]: value } },
    );
  }
}

export function assertNonNegativeMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new PtyError(
      "invalid_argument",
      `${name} must be a finite number of milliseconds >= 0, got ${describe(value)}`,
      { details: { [name]: value } },
    );
  }
}

export function assertPositiveInteger(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new PtyError("invalid_argument", `${name} must be a positive integer, got ${describe(value)}`, {
      details: { [name]: value },
    });
  }
}

export function assertArgs(args: unknown): asserts args is readonly string[] {
  if (!Array.isArray(args)) {
    throw new PtyError("invalid_argument", `args must be an array of strings, got ${describe(args)}`);
  }
  args.forEach((arg, index) => {
    if (typeof arg !== "string" || arg.includes("\0")) {
      throw new PtyError(
        "invalid_argument",
        `args[${index}] must be a string without NUL characters, got ${describe(arg)}`,
      );
    }
  });
}

export function assertEnv(env: unknown): asserts env is Record<string, string | undefined> {
  if (typeof env !== "object" || env === null || Array.isArray(env)) {
    throw new PtyError("invalid_argument", `env must be an object of strings, got ${describe(env)}`);
  }
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && typeof value !== "string") {
      throw new PtyError("invalid_argument", `env.${key} must be a string, got ${describe(value)}`);
    }
  }
}

/** Checks that `cwd` is an existing directory and returns it absolute. */
export function resolveCwd(cwd: string): string {
  const absolute = resolve(cwd);
  let isDirectory = false;
  try {
    isDirectory = statSync(absolute).isDirectory();
  } catch (error) {
    throw new PtyError("cwd_not_found", `Working directory ${absolute} does not exist; create it first`, {
      cause: error,
      details: { cwd: absolute },
    });
  }
  if (!isDirectory) {
    throw new PtyError("cwd_not_found", `Working directory ${absolute} is not a directory`, {
      details: { cwd: absolute },
    });
  }
  return absolute;
}

/**
 * Finds the executable `command` names: a path (with a `/`) relative to `cwd`, or a name looked up
 * on `PATH`. Done here because node-pty reports a missing command only as the child's exit code 1.
 */
export function resolveCommand(command: unknown, cwd: string, path: string | undefined): string {
  if (typeof command !== "string" || command.length === 0 || command.includes("\0")) {
    throw new PtyError(
      "invalid_argument",
      `command must be a non-empty string without NUL characters, got ${describe(command)}`,
    );
  }
  if (command.includes("/")) {
    const absolute = isAbsolute(command) ? command : resolve(cwd, command);
    if (isExecutableFile(absolute)) return absolute;
    throw new PtyError("command_not_found", `Command ${absolute} does not exist or is not executable`, {
      details: { command: absolute, cwd },
    });
  }
  const directories = (path ?? "").split(delimiter).filter((directory) => directory.length > 0);
  for (const directory of directories) {
    const candidate = resolve(cwd, join(directory, command));
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new PtyError(
    "command_not_found",
    `Command "${command}" was not found on PATH (${path ?? "unset"}); install it or pass its absolute path`,
    { details: { command, path } },
  );
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
    return String(value);
  }
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
