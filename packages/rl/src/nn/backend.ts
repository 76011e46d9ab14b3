// TensorFlow.js set-up: the wasm backend (fast for the small networks RL uses), with the
// pure-JavaScript cpu backend as fallback. tfjs-node cannot be installed here (it downloads
// a native binary at install time), so it is not an option.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

export type BackendName = "wasm" | "cpu";

let ready: Promise<BackendName> | undefined;

/**
 * Selects the backend once per process: `preferred` (default wasm, or `$CCA_RL_BACKEND`),
 * falling back to cpu when wasm cannot start. Call it before building networks.
 */
export function initBackend(preferred?: BackendName): Promise<BackendName> {
  ready ??= (async () => {
    // PROD silences tfjs's "install tfjs-node" banner and its debug checks.
    tf.env().set("PROD", true);
    const wanted = preferred ?? parseBackend(process.env.CCA_RL_BACKEND) ?? "wasm";
    if (wanted === "wasm" && (await tf.setBackend("wasm").catch(() => false))) {
      await tf.ready();
      return "wasm";
    }
    await tf.setBackend("cpu");
    await tf.ready();
    return "cpu";
  })();
  return ready;
}

function parseBackend(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "wasm" || value === "cpu") return value;
  throw new Error(`CCA_RL_BACKEND must be "wasm" or "cpu", got "${value}"`);
}

export { tf };
