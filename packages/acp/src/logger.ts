/** What the library logs through. `@cca/core`'s Logger satisfies it; the default drops everything. */
export interface AcpLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const noopAcpLogger: AcpLogger = { debug() {}, info() {}, warn() {}, error() {} };
