/**
 * The stand-in providers the rehearsal installs, each under the real provider's source and the
 * version the bindings pin (what the synthesized stacks require).
 */
import { join } from "node:path";
import { providerSchema, type BindingProviderName } from "../binding-schema";
import { writeMirror, type MirroredProvider } from "../plugin/mirror";

const NAMES: readonly BindingProviderName[] = [
  "google",
  "kubernetes",
  "tls",
  "random",
  "time",
  "tfe",
];

/** Every stand-in, for the mirror. */
export function standIns(): MirroredProvider[] {
  return NAMES.map((name) => {
    const schema = providerSchema(name);
    return {
      source: schema.source,
      version: schema.version,
      module: join(__dirname, `${name}.ts`),
    };
  });
}

/** Write the mirror and the CLI configuration under `dir`; the configuration's path. */
export async function installStandIns(dir: string): Promise<string> {
  return (await writeMirror(dir, standIns())).cliConfigFile;
}
