import { assertPositiveInteger } from "./validate.js";

/**
 * The last `maxBytes` bytes (UTF-8) of a stream of text: a ring of chunks whose oldest are dropped,
 * or cut at a character boundary, as new ones arrive. It keeps raw output, escape sequences and
 * all, so a cut can fall inside one.
 *
 * @example
 * const scrollback = new ScrollbackBuffer(1024 * 1024);
 * pty.onData((text) => scrollback.append(text));
 * writeFileSync("session.log", scrollback.read());
 */
export class ScrollbackBuffer {
  readonly maxBytes: number;
  #chunks: { text: string; bytes: number }[] = [];
  #head = 0;
  #byteLength = 0;
  #droppedBytes = 0;

  constructor(maxBytes: number) {
    assertPositiveInteger("maxBytes", maxBytes);
    this.maxBytes = maxBytes;
  }

  /** Bytes held now; never more than `maxBytes`. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Bytes dropped from the front since creation (or the last `clear`). */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  append(text: string): void {
    if (text.length === 0) return;
    const bytes = Buffer.byteLength(text);
    this.#chunks.push({ text, bytes });
    this.#byteLength += bytes;
    this.#trim();
  }

  /** Everything held, oldest first. */
  read(): string {
    let text = "";
    for (let index = this.#head; index < this.#chunks.length; index++) text += this.#chunks[index]!.text;
    return text;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#byteLength = 0;
    this.#droppedBytes = 0;
  }

  #trim(): void {
    while (this.#byteLength > this.maxBytes) {
      const oldest = this.#chunks[this.#head]!;
      const excess = this.#byteLength - this.maxBytes;
      if (oldest.bytes <= excess) {
        this.#head++;
        this.#byteLength -= oldest.bytes;
        this.#droppedBytes += oldest.bytes;
        continue;
      }
      const encoded = Buffer.from(oldest.text);
      let start = excess;
      // Never start inside a UTF-8 sequence: skip its continuation bytes (0b10xxxxxx).
      while (start < encoded.length && ((encoded[start] ?? 0) & 0xc0) === 0x80) start++;
      const kept = encoded.subarray(start);
      this.#chunks[this.#head] = { text: kept.toString(), bytes: kept.length };
      this.#byteLength -= start;
      this.#droppedBytes += start;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
