export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

/** A structured logger. Libraries take one as a collaborator and never print on their own. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** A logger that drops everything: the default where none is given. */
export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => noopLogger,
};

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/**
 * A logfmt-style logger: `2026-11-24T12:00:00.000Z INFO task started task=task_1`.
 * @example const log = createLogger({ level: "info", write: (line) => process.stderr.write(line) });
 */
export function createLogger(options: {
  level: LogLevel;
  write: (line: string) => void;
  fields?: LogFields;
}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const base = options.fields ?? {};
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const pairs = Object.entries({ ...base, ...fields })
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value)}`);
    const tail = pairs.length > 0 ? ` ${pairs.join(" ")}` : "";
    options.write(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${tail}\n`);
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}
