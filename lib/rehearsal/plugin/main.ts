/**
 * The process a stand-in provider's executable starts (see ./mirror.ts):
 * `main.ts <module> [export]` serves the {@link StandInProvider} that `module` exports under
 * `export` (default `provider`).
 */
import { resolve } from "node:path";
import type { StandInProvider } from "./provider";
import { serve } from "./server";

function isStandInProvider(candidate: unknown): candidate is StandInProvider {
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    "schema" in candidate &&
    typeof candidate.schema === "object" &&
    candidate.schema !== null
  );
}

async function main(): Promise<void> {
  const [modulePath, exportName = "provider"] = process.argv.slice(2);
  if (!modulePath) throw new Error("usage: main.ts <module> [export]");
  const loaded: Record<string, unknown> = await import(resolve(modulePath));
  const provider = loaded[exportName];
  if (!isStandInProvider(provider)) {
    throw new Error(`${modulePath} does not export a StandInProvider named ${exportName}`);
  }
  await serve(provider);
}

main().catch((error: unknown) => {
  process.stderr.write(`stand-in provider failed to start: ${String(error)}\n`);
  process.exit(1);
});
