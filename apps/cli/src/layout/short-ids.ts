/** Characters kept after an id's kind (`task_`, `backend_`) at the least, however few ids there are. */
const MIN_TAIL = 4;
/** Characters of an id kept at the least, as git keeps at least 7 of a hash. */
const MIN_LENGTH = 8;

/**
 * The shortest prefixes that tell `ids` apart, as git shortens hashes: each keeps its kind
 * (`coordinator_`), at least 4 characters after it and 8 in all, and more where another id
 * shares them. Ids already that short are kept whole.
 * @example
 * shortIds(["task_db824452b2874203bd4b", "task_db83aa52b2874203bd4b"]).get("task_db824452b2874203bd4b") // "task_db824"
 */
export function shortIds(ids: Iterable<string>): Map<string, string> {
  const unique = [...new Set(ids)];
  const sorted = [...unique].sort();
  const shortened = new Map<string, string>();
  sorted.forEach((id, index) => {
    // In sorted order, the ids that share the longest prefix with `id` are its neighbours.
    const shared = Math.max(
      commonPrefixLength(id, sorted[index - 1] ?? ""),
      commonPrefixLength(id, sorted[index + 1] ?? ""),
    );
    const kindEnd = id.lastIndexOf("_") + 1;
    const length = Math.max(MIN_LENGTH, kindEnd + MIN_TAIL, shared + 1);
    shortened.set(id, id.length <= length ? id : id.slice(0, length));
  });
  return shortened;
}

/** A function giving each id its short form among `ids` (an id not among them is kept whole). */
export function createIdShortener(ids: Iterable<string | null | undefined>): (id: string) => string {
  const shortened = shortIds([...ids].filter((id): id is string => typeof id === "string"));
  return (id) => shortened.get(id) ?? id;
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return length;
}
