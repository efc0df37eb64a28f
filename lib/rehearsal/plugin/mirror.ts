/**
 * Offline installation of stand-in providers: a filesystem mirror in Terraform's unpacked
 * layout whose "provider binaries" are small sh scripts starting node on a bundle of the
 * stand-in (esbuild: one file with its dependencies, so a start costs ~0.2 s where loading the
 * TypeScript sources under tsx took ~0.4 s; Terraform starts a provider several times in every
 * command), and a CLI configuration that installs the named providers from that mirror only.
 * Terraform reads it through TF_CLI_CONFIG_FILE, so the user's ~/.terraformrc is never read
 * or written.
 *
 * Layout and configuration: https://developer.hashicorp.com/terraform/cli/config/config-file
 * ("Provider Installation": filesystem_mirror, unpacked layout
 * HOSTNAME/NAMESPACE/TYPE/VERSION/TARGET/, the executable named terraform-provider-TYPE...).
 *
 * `terraform init` records the mirror's package hashes in `.terraform.lock.hcl`; they are not
 * the real providers' hashes, so run the rehearsal on a copy of a stack directory without the
 * real lock file (and never copy the generated one back).
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build, version, type Plugin } from "esbuild";

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
 * The project's sources keep reading files beside themselves (the .proto files, the bindings'
 * assemblies) from the bundle: `__dirname` in them becomes their own folder.
 */
const sourceFolders: Plugin = {
  name: "source-folders",
  setup(bundler) {
    bundler.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replace(
        /\b__dirname\b/g,
        JSON.stringify(dirname(args.path)),
      ),
      loader: "ts",
    }));
  },
};

const PROJECT_ROOT = resolve(__dirname, "..", "..", "..");
/** Where the project's stand-ins' bundles are kept between rehearsals (beside synthesis's). */
const BUNDLE_CACHE = join(PROJECT_ROOT, "node_modules", ".cache", "hybrid-registry");

/** Size and modification time of each file, in order: what a bundle was built from. */
function stamps(files: readonly string[]): string {
  return files
    .map((file) => {
      try {
        const stat = statSync(file);
        return `${file}\0${String(stat.size)}\0${String(stat.mtimeMs)}`;
      } catch {
        return `${file}\0missing`;
      }
    })
    .join("\n");
}

/**
 * Bundle `provider`'s module with its launcher; the bundle's path. A bundle is kept in
 * node_modules/.cache with the list of its inputs and reused while none of them changed
 * (esbuild's metafile lists them), so the rehearsals of `--all` bundle once. A module outside
 * the project (a test's) is bundled into `elsewhere` instead.
 */
async function bundle(
  provider: MirroredProvider,
  type: string,
  elsewhere: string,
): Promise<string> {
  const launcher = join(__dirname, "launch.ts");
  const exportName = provider.exportName ?? "provider";
  const entry = [
    `import { ${exportName} as standIn } from ${JSON.stringify(resolve(provider.module))};`,
    `import { launchStandIn } from ${JSON.stringify(launcher)};`,
    `launchStandIn(standIn, ${JSON.stringify(type)});`,
  ].join("\n");
  const key = createHash("sha256")
    .update(`${entry}\0${version}\0${process.versions.node}`)
    .digest("hex")
    .slice(0, 16);
  const ours = !relative(PROJECT_ROOT, resolve(provider.module)).startsWith("..");
  const outfile = ours
    ? join(BUNDLE_CACHE, `stand-in-${type}-${key}.cjs`)
    : join(elsewhere, `${type}.cjs`);
  const inputsFile = `${outfile}.inputs.json`;
  if (existsSync(outfile) && existsSync(inputsFile)) {
    const recorded = JSON.parse(readFileSync(inputsFile, "utf8")) as {
      files: string[];
      stamps: string;
    };
    if (stamps(recorded.files) === recorded.stamps) return outfile;
  }
  mkdirSync(dirname(outfile), { recursive: true });
  // Built under a name of its own, then renamed: a concurrent rehearsal never reads half a file.
  const partial = `${outfile}.${String(process.pid)}.partial`;
  const result = await build({
    stdin: { contents: entry, resolveDir: __dirname, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node}`,
    outfile: partial,
    logLevel: "error",
    metafile: true,
    plugins: [sourceFolders],
  });
  const files = Object.keys(result.metafile.inputs)
    .filter((input) => input !== "<stdin>")
    .map((input) => resolve(input))
    .sort();
  renameSync(partial, outfile);
  writeFileSync(inputsFile, JSON.stringify({ files, stamps: stamps(files) }));
  return outfile;
}

/**
 * Write the mirror and the CLI configuration into `dir` (created if missing; owned by the
 * rehearsal) for `providers`.
 */
export async function writeMirror(
  dir: string,
  providers: readonly MirroredProvider[],
): Promise<MirrorInstallation> {
  const mirror = join(resolve(dir), "providers");
  const addresses = providers.map((provider) => `registry.terraform.io/${provider.source}`);
  // Outside the packages: `terraform init` records their hashes in the lock file.
  const schemaCache = join(resolve(dir), "schemas");
  const bundles = join(resolve(dir), "bundles");
  mkdirSync(schemaCache, { recursive: true });
  await Promise.all(
    providers.map(async (provider, i) => {
      const type = provider.source.split("/")[1] ?? provider.source;
      const target = join(mirror, addresses[i] ?? "", provider.version, terraformPlatform());
      mkdirSync(target, { recursive: true });
      const outfile = await bundle(provider, type, bundles);
      const executable = join(target, `terraform-provider-${type}_v${provider.version}`);
      const command = [
        process.execPath,
        outfile,
        join(schemaCache, `${type}-${provider.version}.pb`),
      ];
      writeFileSync(executable, `#!/bin/sh\nexec ${command.map(shellQuote).join(" ")}\n`);
      chmodSync(executable, 0o755);
    }),
  );
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
