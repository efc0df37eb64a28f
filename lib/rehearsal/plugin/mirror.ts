/**
 * Offline installation of stand-in providers: a filesystem mirror in Terraform's unpacked
 * layout whose "provider binaries" are small sh scripts starting ./main.ts under tsx, and a
 * CLI configuration that installs the named providers from that mirror only. Terraform reads
 * it through TF_CLI_CONFIG_FILE, so the user's ~/.terraformrc is never read or written.
 *
 * Layout and configuration: https://developer.hashicorp.com/terraform/cli/config/config-file
 * ("Provider Installation": filesystem_mirror, unpacked layout
 * HOSTNAME/NAMESPACE/TYPE/VERSION/TARGET/, the executable named terraform-provider-TYPE...).
 *
 * `terraform init` records the mirror's package hashes in `.terraform.lock.hcl`; they are not
 * the real providers' hashes, so run the rehearsal on a copy of a stack directory without the
 * real lock file (and never copy the generated one back).
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export interface MirroredProvider {
  /** `hashicorp/google`: namespace and type on registry.terraform.io. */
  readonly source: string;
  /** The version the configuration pins, e.g. `6.50.0`. */
  readonly version: string;
  /** The module exporting the {@link StandInProvider} (a .ts file; absolute or cwd-relative). */
  readonly module: string;
  /** @default "provider" */
  readonly exportName?: string;
}

export interface MirrorInstallation {
  /** The CLI configuration file to pass as TF_CLI_CONFIG_FILE. */
  readonly cliConfigFile: string;
  /** The environment for every `terraform` (or `cdktf`) command of the rehearsal. */
  readonly env: Readonly<Record<string, string>>;
}

/** Terraform's platform name for this machine, e.g. `linux_amd64`. */
export function terraformPlatform(): string {
  const arch: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Write the mirror and the CLI configuration into `dir` (created if missing; owned by the
 * rehearsal) for `providers`.
 */
export function writeMirror(
  dir: string,
  providers: readonly MirroredProvider[],
): MirrorInstallation {
  const mirror = join(resolve(dir), "providers");
  // tsx's loader for `node --import` (its package exports "." as dist/loader.mjs); absolute,
  // since Terraform starts providers in the configuration's directory, not this project's.
  const tsxLoader = require.resolve("tsx");
  const main = join(__dirname, "main.ts");
  const addresses = providers.map((provider) => `registry.terraform.io/${provider.source}`);
  for (const [i, provider] of providers.entries()) {
    const type = provider.source.split("/")[1] ?? provider.source;
    const target = join(mirror, addresses[i] ?? "", provider.version, terraformPlatform());
    mkdirSync(target, { recursive: true });
    const executable = join(target, `terraform-provider-${type}_v${provider.version}`);
    const command = [
      process.execPath,
      "--import",
      pathToFileURL(tsxLoader).href,
      main,
      resolve(provider.module),
      provider.exportName ?? "provider",
    ];
    writeFileSync(executable, `#!/bin/sh\nexec ${command.map(shellQuote).join(" ")}\n`);
    chmodSync(executable, 0o755);
  }
  const list = addresses.map((address) => JSON.stringify(address)).join(", ");
  const cliConfigFile = join(resolve(dir), "terraform.rc");
  writeFileSync(
    cliConfigFile,
    [
      "# Written by the rehearsal: stand-in providers from a local mirror, nothing downloaded.",
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(mirror)}`,
      `    include = [${list}]`,
      "  }",
      "  direct {",
      `    exclude = [${list}]`,
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  return {
    cliConfigFile,
    env: {
      TF_CLI_CONFIG_FILE: cliConfigFile,
      // A user's plugin cache would receive the stand-ins under the real providers' versions
      // and hand them to later real inits; empty disables it (terraform
      // internal/command/cliconfig/cliconfig.go EnvConfig ignores an empty TF_PLUGIN_CACHE_DIR).
      TF_PLUGIN_CACHE_DIR: "",
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
    },
  };
}
