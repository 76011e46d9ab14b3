import packageJson from "../package.json" with { type: "json" };

/** The version of `@cca/mcp`, as its package.json declares it. */
export const VERSION: string = packageJson.version;
