/**
 * The stand-in providers the rehearsal installs, each under the real provider's source and the
 * version the bindings pin (what the synthesized stacks require).
 */
import { join } from "node:path";
import { BINDING_PROVIDERS, providerSchema } from "../binding-schema";
import { writeMirror, type MirroredProvider } from "../plugin/mirror";

/** Every stand-in, for the mirror. */
export function standIns(): MirroredProvider[] {
  // One stand-in per provider the bindings pin, under the name of its module here.
  return BINDING_PROVIDERS.map((name) => {
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
