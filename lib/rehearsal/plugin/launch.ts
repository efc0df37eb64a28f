/**
 * What a stand-in provider's executable runs (see ./mirror.ts): the bundle's entry calls
 * {@link launchStandIn} with the provider its module exports; the executable passes the file
 * for the GetProviderSchema answer cache as the first argument (see ServeOptions).
 */
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

/** Serve `candidate` for the Terraform process that started this one. */
export function launchStandIn(candidate: unknown, name: string): void {
  const [schemaCacheFile] = process.argv.slice(2);
  if (!isStandInProvider(candidate)) {
    process.stderr.write(`stand-in provider ${name}: the module exports no StandInProvider\n`);
    process.exit(1);
  }
  serve(candidate, { schemaCacheFile }).catch((error: unknown) => {
    process.stderr.write(`stand-in provider ${name} failed to start: ${String(error)}\n`);
    process.exit(1);
  });
}
