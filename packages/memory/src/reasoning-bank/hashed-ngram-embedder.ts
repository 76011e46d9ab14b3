import { type EmbeddingProvider, unitLength } from "./embedding-provider.js";

/** Words too common to say what a text is about. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be but by for from has have how i in is it its of on or that the this to " +
    "was we were what when where which who will with you your do does did not no so if then than " +
    "there their them they our us can could should would may might must shall into over about"
  ).split(" "),
);

/** FNV-1a, 32 bits: fast, stable across runs and machines. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A light suffix stemmer, so `tests`, `testing` and `tested` meet `test`. */
function stem(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  for (const suffix of ["ing", "ed"]) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      // running → run, stopped → stop
      return /([b-df-hj-np-tv-z])\1$/.test(base) ? base.slice(0, -1) : base;
    }
  }
  return word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word;
}

/** Lower-case words of letters and digits, stop words dropped. */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !STOP_WORDS.has(word));
}

/**
 * The local, deterministic default: feature hashing of words (weight 1), word pairs (0.7)
 * and each word's character trigrams (0.35, so `migration` and `migrations` meet), with a
 * sign bit per feature, L2-normalised. Nothing to download; no semantics beyond shared
 * words and word parts, which is why its name says what it is.
 */
export class HashedNgramEmbedder implements EmbeddingProvider {
  readonly name = "local-hash-ngrams";
  readonly dimension: number;

  constructor(dimension = 256) {
    if (!Number.isInteger(dimension) || dimension < 16 || dimension > 4096) {
      throw new RangeError(`An embedding dimension is an integer from 16 to 4096, not ${dimension}`);
    }
    this.dimension = dimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => this.#embedOne(text));
  }

  #embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimension).fill(0);
    const add = (feature: string, weight: number) => {
      const h = hash(feature);
      vector[h % this.dimension]! += h & 0x80000000 ? -weight : weight;
    };
    const words = contentWords(text).map(stem);
    words.forEach((word, i) => {
      add(`w:${word}`, 1);
      if (i > 0) add(`b:${words[i - 1]} ${word}`, 0.7);
      const padded = `<${word}>`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.35);
    });
    return unitLength(vector);
  }
}
