import { Construct } from "constructs";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { createHash } from "node:crypto";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { appLabels } from "../k8s/labels";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../k8s/pod-security";
import { dockerConfigJson } from "./docker-config";
import type { RegistryUser } from "./registry-credentials";

export interface SeedImage {
  /** Public image, e.g. `docker.io/library/nginx:stable`. */
  readonly source: string;
  /** `<repository>:<tag>` inside the registry. */
  readonly target: string;
}

export interface SeedJobProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  readonly images: readonly SeedImage[];
  /** Registry host as in image names. */
  readonly registryHost: string;
  /** Address the registry host resolves to inside the job (its Service's cluster IP). */
  readonly registryAddress: string;
  readonly pushUser: RegistryUser;
  readonly caCertificatePem: string;
  /** skopeo image, pinned. */
  readonly copyToolImage: string;
  /** @default 6 */
  readonly backoffLimit?: number;
  /** @default 86400 */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Resources to wait for, e.g. the registry Deployment.
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The shell command that copies every image; skopeo skips blobs the registry already has. */
function seedCommand(images: readonly SeedImage[], registryHost: string): string {
  const copies = images.map(
    (image) =>
      `skopeo copy --all --retry-times 5 --retry-delay 10s --dest-cert-dir /ca --dest-authfile /auth/config.json docker://${image.source} docker://${registryHost}/${image.target}`,
  );
  return ["set -eu", ...copies].join("\n");
}

/**
 * Copies public images into the registry (tutorial 000's docker pull/tag/push, automated).
 * Re-running is harmless; the Job's name carries a hash of its inputs so a changed list runs
 * again, and finished Jobs are cleaned up after their TTL.
 */
export class SeedJob extends Construct {
  public readonly job: JobV1;
  /** The pushing user's docker config and the CA, mounted by the Job. */
  public readonly authSecret: SecretV1;

  constructor(scope: Construct, id: string, props: SeedJobProps) {
    super(scope, id);
    const labels = appLabels("registry-seed", "seed");
    const command = seedCommand(props.images, props.registryHost);
    const inputsHash = createHash("sha256")
      .update(JSON.stringify([command, props.copyToolImage]))
      .digest("hex")
      .slice(0, 8);
    this.authSecret = new SecretV1(this, "auth", {
      provider: props.provider,
      metadata: { name: "registry-seed-auth", namespace: props.namespace, labels },
      type: "kubernetes.io/dockerconfigjson",
      data: {
        ".dockerconfigjson": dockerConfigJson([{ host: props.registryHost, ...props.pushUser }]),
        "ca.crt": props.caCertificatePem,
      },
    });
    this.job = new JobV1(this, "job", {
      provider: props.provider,
      metadata: { name: `registry-seed-${inputsHash}`, namespace: props.namespace, labels },
      waitForCompletion: false,
      dependsOn: props.dependsOn,
      spec: {
        backoffLimit: props.backoffLimit ?? 6,
        ttlSecondsAfterFinished: String(props.ttlSecondsAfterFinished ?? 86400),
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(),
            hostAliases: [{ ip: props.registryAddress, hostnames: [props.registryHost] }],
            container: [
              {
                name: "copy",
                image: props.copyToolImage,
                command: ["/bin/sh", "-c", command],
                env: [{ name: "HOME", value: "/tmp" }],
                securityContext: restrictedContainerSecurityContext(),
                resources: {
                  requests: { cpu: "100m", memory: "128Mi" },
                  limits: { cpu: "1", memory: "512Mi" },
                },
                volumeMount: [
                  { name: "auth", mountPath: "/auth", readOnly: true },
                  { name: "ca", mountPath: "/ca", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volume: [
              {
                name: "auth",
                secret: {
                  secretName: this.authSecret.metadata.name,
                  items: [{ key: ".dockerconfigjson", path: "config.json" }],
                },
              },
              {
                name: "ca",
                secret: {
                  secretName: this.authSecret.metadata.name,
                  items: [{ key: "ca.crt", path: "ca.crt" }],
                },
              },
              { name: "tmp", emptyDir: { sizeLimit: "4Gi" } },
            ],
          },
        },
      },
    });
  }
}
