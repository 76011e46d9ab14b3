import type { RequestId } from "../jsonrpc/messages.js";

/** The UTF-8 length of a string, counted without encoding it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Whether a frame is over `maxBytes` in UTF-8. Each UTF-16 unit is 1 to 3 bytes, so most
 * frames are decided by their length alone.
 */
export function frameExceeds(frame: string, maxBytes: number): boolean {
  if (frame.length > maxBytes) return true;
  if (frame.length * 3 <= maxBytes) return false;
  return utf8ByteLength(frame) > maxBytes;
}

/** What the head of an unparsed frame says it is. */
export type FrameHead =
  | { kind: "request"; id: RequestId | null }
  | { kind: "response"; id: RequestId | null }
  | { kind: "notification" }
  | { kind: "unknown" };

const HEAD_CHARS = 1024;
const OPEN_OBJECT = /\s*\{/y;
// One top-level member whose value is a primitive (captured), or whose value is structured (not captured).
const MEMBER =
  /\s*"((?:[^"\\]|\\.)*)"\s*:\s*(?:("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|null|true|false)\s*,?|(?=[[{"]))/y;

/**
 * Reads the leading members of a frame too large to parse, to learn whether it is a
 * request (and its id) or a response. This library writes `jsonrpc`, `id`, then `method`
 * or `result`/`error`, so its own frames are always recognised; a frame whose id comes
 * after a structured member is `unknown`, except that a `method` followed by structured
 * `params` with no id before it is taken for a notification.
 */
export function readFrameHead(frame: string): FrameHead {
  const head = frame.length > HEAD_CHARS ? frame.slice(0, HEAD_CHARS) : frame;
  OPEN_OBJECT.lastIndex = 0;
  if (!OPEN_OBJECT.test(head)) return { kind: "unknown" };
  MEMBER.lastIndex = OPEN_OBJECT.lastIndex;
  let id: RequestId | null | undefined;
  let hasMethod = false;
  for (let match = MEMBER.exec(head); match !== null; match = MEMBER.exec(head)) {
    const [, key, primitive] = match;
    if (primitive === undefined) {
      if (key === "result" || key === "error")
        return id === undefined ? { kind: "unknown" } : { kind: "response", id };
      if (hasMethod) return id === undefined ? { kind: "notification" } : { kind: "request", id };
      return { kind: "unknown" };
    }
    if (key === "id") {
      const value: unknown = JSON.parse(primitive);
      id = typeof value === "string" || typeof value === "number" ? value : null;
    } else if (key === "method") hasMethod = true;
    else if (key === "result") return id === undefined ? { kind: "unknown" } : { kind: "response", id };
  }
  return hasMethod && id !== undefined ? { kind: "request", id } : { kind: "unknown" };
}
