/** The common start of the registry suites: CA, server certificate, emitted registry, image. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../../lib/config/schema";
import { buildOciImage, type OciImage } from "./oci-image";
import {
  caCertDir,
  createCertificateAuthority,
  createServerCertificate,
  type CertificateAuthorityFiles,
} from "./pki";
import { synthesizedEnvironment, synthesizedRegistry, type SynthesizedRegistry } from "./registry";
import {
  generateCredentials,
  launchRegistry,
  type LaunchOptions,
  type Credentials,
  type RunningRegistry,
} from "./running-registry";
import { Skopeo } from "./skopeo";

export interface RegistryScenario {
  readonly config: Config;
  readonly emitted: SynthesizedRegistry;
  readonly ca: CertificateAuthorityFiles;
  /** Folder holding only ca.crt (skopeo --cert-dir). */
  readonly caDir: string;
  readonly caPem: string;
  readonly credentials: Credentials;
  readonly registry: RunningRegistry;
  readonly skopeo: Skopeo;
  readonly image: OciImage;
  /** `127.0.0.1:<port>/<repository>:<tag>` from the sample app's image. */
  readonly reference: string;
  readonly tag: string;
}

/** Repository and tag of the sample app's image, e.g. `stack-labs/nginx` and `stable`. */
export function sampleImage(config: Config): { repository: string; tag: string } {
  const image = config.app.sampleApp.image;
  const colon = image.lastIndexOf(":");
  if (colon < 0) throw new Error(`sample image ${image} has no tag`);
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

/**
 * Certificates like the PKI construct's (DNS SAN = the registry FQDN of the config, IP SAN
 * 127.0.0.1), the emitted "registry" Deployment started on 127.0.0.1, and a test image.
 */
export async function startRegistryScenario(
  environment: string,
  tmp: string,
  /** Emitted variables to leave out, with the reason (a control run). @default none */
  launch: Pick<LaunchOptions, "drop"> = {},
): Promise<RegistryScenario> {
  const { config } = synthesizedEnvironment(environment);
  const emitted = synthesizedRegistry(environment, "registry");
  const ca = createCertificateAuthority(join(tmp, "pki"));
  const caPem = readFileSync(ca.certificate, "utf8");
  const caDir = caCertDir(join(tmp, "trust"), caPem);
  const server = createServerCertificate(ca, {
    name: "registry",
    dnsNames: [config.registry.fqdn],
    ipAddresses: ["127.0.0.1"],
  });
  const credentials = generateCredentials(config);
  const registry = await launchRegistry({
    registry: emitted,
    dir: join(tmp, "registry"),
    ca,
    server,
    credentials,
    ...launch,
  });
  const { repository, tag } = sampleImage(config);
  const image = buildOciImage(join(tmp, "image"), { tag });
  console.log(
    `registry "${emitted.name}" (${environment}) serving https://${registry.host}, debug 127.0.0.1:${registry.debugPort}; test image ${image.manifest.digest}, ${image.blobBytes} blob bytes`,
  );
  return {
    config,
    emitted,
    ca,
    caDir,
    caPem,
    credentials,
    registry,
    skopeo: new Skopeo(join(tmp, "skopeo")),
    image,
    reference: `${registry.host}/${repository}:${tag}`,
    tag,
  };
}

/** `user:password` of the scenario's pushing or pulling user, for skopeo and Basic auth. */
export function credentialsOf(scenario: RegistryScenario, user: "push" | "pull"): string {
  const { username, password } = scenario.credentials[user];
  return `${username}:${password}`;
}

/**
 * Copy `reference` (`host/repository:tag`) as the pulling user into the OCI layout `target`
 * under its tag, trusting only the scenario's CA.
 */
export function pullAsPuller(scenario: RegistryScenario, reference: string, target: string): void {
  const tag = reference.slice(reference.lastIndexOf(":") + 1);
  scenario.skopeo.runOk([
    "copy",
    "--src-cert-dir",
    scenario.caDir,
    "--src-creds",
    credentialsOf(scenario, "pull"),
    `docker://${reference}`,
    `oci:${target}:${tag}`,
  ]);
}

/**
 * Push an OCI layout's tagged image (default: the scenario's image) to `reference` (default:
 * the scenario's reference) with the pushing user.
 */
export function pushImage(
  scenario: RegistryScenario,
  source: { readonly dir: string; readonly tag: string } = {
    dir: scenario.image.dir,
    tag: scenario.tag,
  },
  reference = scenario.reference,
): void {
  const { push } = scenario.credentials;
  scenario.skopeo.runOk([
    "copy",
    "--dest-cert-dir",
    scenario.caDir,
    "--dest-creds",
    `${push.username}:${push.password}`,
    `oci:${source.dir}:${source.tag}`,
    `docker://${reference}`,
  ]);
}
