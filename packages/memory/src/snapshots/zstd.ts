import { createRequire } from "node:module";

interface ZstdBindings {
  compress(data: Buffer, level: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

// @mongodb-js/zstd 1.2.2's index.js calls the native `compress(data)` without the level it was
// given, so every level compresses as level 3. Its native binding (bindings.js, which the
// package ships and index.js loads) takes the level, so it is used directly.
const bindings = createRequire(import.meta.url)("@mongodb-js/zstd/bindings.js") as ZstdBindings;

/** zstd-compresses `data` at `level` (1 fastest … 22 smallest). */
export async function zstdCompress(data: Buffer, level: number): Promise<Buffer> {
  try {
    return await bindings.compress(data, level);
  } catch (error) {
    // Errors made by napi carry no JavaScript stack; a new Error gets one.
    throw new Error(
      `zstd: could not compress ${data.length} bytes at level ${level}: ${(error as Error).message}`,
    );
  }
}

/** Decompresses zstd `data`. */
export async function zstdDecompress(data: Buffer): Promise<Buffer> {
  try {
    return await bindings.decompress(data);
  } catch (error) {
    throw new Error(`zstd: could not decompress ${data.length} bytes: ${(error as Error).message}`);
  }
}
