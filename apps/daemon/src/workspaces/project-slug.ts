import { createHash } from "node:crypto";
import { basename } from "node:path";

/**
 * The folder name of a project's worktrees under `$CCA_HOME/worktrees`: its folder's name,
 * made safe, and a short hash of its full path, so that two projects of the same name differ.
 *
 * @example projectSlug("/home/ana/shop") // "shop-3f2a9c1b"
 */
export function projectSlug(root: string): string {
  const name =
    basename(root)
      .replace(/[^A-Za-z0-9_.-]+/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .replace(/\.+$/, "")
      .replace(/\.{2,}/g, ".")
      .slice(0, 40) || "project";
  const hash = createHash("sha256").update(root).digest("hex").slice(0, 8);
  return `${name}-${hash}`;
}
