import { createHash } from "node:crypto";
import { Token } from "cdktf";
import { secretConfigHash } from "../k8s/config-hash";
import type { EnvVar } from "./registry-env";
import { caCertificateDigest } from "./registry-storage";

/** Everything the registry's pods read from env, Secrets and the ConfigMap. */
export interface RegistryPodInputs {
  readonly env: readonly EnvVar[];
  /** The init container's htpasswd script. */
  readonly htpasswdScript: string;
  /** The auth proxy's nginx.conf. */
  readonly nginxConfig: string;
  readonly tls: { readonly certificatePem: string; readonly privateKeyPem: string };
  /** The credentials Secret's data. */
  readonly credentials: Readonly<Record<string, string>>;
  /** @default "" (not a pull-through cache) */
  readonly upstreamCaPem?: string;
  /** @default none (no private CA for the bucket endpoint) */
  readonly storageCaPem?: string;
}

/**
 * The pod template's config hash: it changes, and rolls the pods, whenever any input does.
 * Literal inputs are digested here; Terraform string literals cannot carry the script's
 * quotes, so only the digest and the references reach the expression. A value that is a
 * reference (another stack's output) goes in as itself: its token text depends on the
 * order constructs were made in the whole app, so a digest of it would change whenever
 * another stack is added.
 */
export function registryPodConfigHash(inputs: RegistryPodInputs): string {
  const isReference = (value: string) => Token.isUnresolved(value);
  const literalDigest = createHash("sha256")
    .update(
      JSON.stringify({
        env: inputs.env.map((variable) => {
          const value = variable.value ?? "";
          return [variable.name, isReference(value) ? "(reference)" : value];
        }),
        script: inputs.htpasswdScript,
        nginxConfig: inputs.nginxConfig,
      }),
    )
    .digest("hex");
  const referencedEnv = Object.fromEntries(
    inputs.env.flatMap((variable) =>
      variable.value !== undefined && isReference(variable.value)
        ? [[variable.name, variable.value]]
        : [],
    ),
  );
  return secretConfigHash({
    literals: literalDigest,
    ...(Object.keys(referencedEnv).length > 0 ? { env: referencedEnv } : {}),
    tls: [inputs.tls.certificatePem, inputs.tls.privateKeyPem],
    credentials: inputs.credentials,
    upstreamCa: inputs.upstreamCaPem ?? "",
    ...(inputs.storageCaPem ? { storageCa: caCertificateDigest(inputs.storageCaPem) } : {}),
  });
}
