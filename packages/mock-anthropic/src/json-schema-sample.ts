/**
 * A small value that fits a JSON schema: enough to answer Claude Code's structured-output
 * helper calls (e.g. `{"title": string}` for session titles). Handles the keywords those
 * schemas use (type, properties, items, enum, const, anyOf/oneOf), not all of JSON Schema.
 */
export function sampleForJsonSchema(schema: unknown, propertyName = "value"): unknown {
  if (typeof schema !== "object" || schema === null) return `mock ${propertyName}`;
  const node = schema as Record<string, unknown>;
  if ("const" in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  const alternatives = node.anyOf ?? node.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return sampleForJsonSchema(alternatives[0], propertyName);
  }
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case "object": {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(properties).map(([name, child]) => [name, sampleForJsonSchema(child, name)]),
      );
    }
    case "array": {
      const minItems = typeof node.minItems === "number" ? node.minItems : 0;
      return Array.from({ length: minItems }, () => sampleForJsonSchema(node.items, propertyName));
    }
    case "integer":
    case "number":
      return typeof node.minimum === "number" ? node.minimum : 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return `Mock ${propertyName}`;
  }
}
