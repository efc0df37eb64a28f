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
import { dockerConfigJson, type RegistryLogin } from "./docker-config";
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
  /**
   * Login for the source registry (Docker Hub limits anonymous pulls per IP address).
   * @default anonymous pulls
   */
  readonly sourceLogin?: RegistryLogin;
  /**
   * `all` copies every platform of a multi-platform image (an index); `os/arch[/variant]`
   * copies only that platform's image.
   * @default "all"
   */
  readonly platform?: string;
  /** @default 6 */
  readonly backoffLimit?: number;
  /**
   * Resources to wait for, e.g. the registry Deployment.
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The seeding Job's name prefix and pod label (app.kubernetes.io/name). */
export const SEED_JOB_NAME = "registry-seed";

const AUTH_DIR = "/auth";
const CA_DIR = "/ca";

/**
 * The shell command that copies every image; skopeo skips blobs the registry already has.
 * A source given by digest (`name@sha256:…`) is copied exactly. One platform is chosen with
 * skopeo's global `--override-os/--override-arch/--override-variant`; `--all` keeps a whole
 * index (skopeo(1), skopeo-copy(1)). skopeo has no flag for a subset of platforms.
 */
export function seedCommand(
  images: readonly SeedImage[],
  registryHost: string,
  options: { readonly platform?: string; readonly sourceLogin: boolean },
): string {
  const platform = options.platform ?? "all";
  const [os, arch, variant] = platform.split("/");
  const global =
    platform === "all"
      ? []
      : [
          `--override-os ${os}`,
          `--override-arch ${arch}`,
          ...(variant ? [`--override-variant ${variant}`] : []),
        ];
  const copy = [
    ...(platform === "all" ? ["--all"] : []),
    "--retry-times 5",
    `--dest-cert-dir ${CA_DIR}`,
    `--dest-authfile ${AUTH_DIR}/config.json`,
    ...(options.sourceLogin ? [`--src-authfile ${AUTH_DIR}/source.json`] : []),
  ];
  const copies = images.map((image) =>
    [
      "skopeo",
      ...global,
      "copy",
      ...copy,
      `docker://${image.source}`,
      `docker://${registryHost}/${image.target}`,
    ].join(" "),
  );
  return ["set -eu", ...copies].join("\n");
}

/** What the seeding Job's name is made of (its command's inputs and the copy tool). */
export type SeedJobNameInputs = Pick<
  SeedJobProps,
  "images" | "registryHost" | "copyToolImage" | "platform"
> & { readonly sourceLogin: boolean };

/**
 * The seeding Job's name: `registry-seed-` and a hash of its command and image, so a changed
 * list replaces the Job (and `npm run verify` knows which Job the config expects).
 */
export function seedJobName(inputs: SeedJobNameInputs): string {
  const command = seedCommand(inputs.images, inputs.registryHost, {
    platform: inputs.platform,
    sourceLogin: inputs.sourceLogin,
  });
  const hash = createHash("sha256")
    .update(JSON.stringify([command, inputs.copyToolImage]))
    .digest("hex")
    .slice(0, 8);
  return `${SEED_JOB_NAME}-${hash}`;
}

/**
 * How long an apply waits for the copy (the provider's default is 1 minute,
 * terraform-provider-kubernetes v2.38.0 resource_kubernetes_job_v1.go, `Timeouts`). Six
 * retries back off 10 s doubling to 6 min (Kubernetes Job `backoffLimit`), about 11 min,
 * plus the copies themselves.
 */
export const SEED_APPLY_TIMEOUT = "30m";

/**
 * Copies public images into the registry (tutorial 000's docker pull/tag/push, automated).
 * The finished Job stays: with a TTL Kubernetes deletes it, the kubernetes provider then finds
 * no Job and plans a new one (terraform-provider-kubernetes v2.38.0
 * resource_kubernetes_job_v1.go:120-126, read: a missing Job is removed from state), which re-copies
 * mutable tags on an unrelated apply. Its name carries a hash of its inputs, so a changed list
 * replaces it and runs again. `npm run verify` reports its state (lib/verify/seed-check.ts).
 */
export class SeedJob extends Construct {
  public readonly job: JobV1;
  /** The pushing user's docker config and the CA, mounted by the Job. */
  public readonly authSecret: SecretV1;

  constructor(scope: Construct, id: string, props: SeedJobProps) {
    super(scope, id);
    const labels = appLabels(SEED_JOB_NAME, "seed");
    const command = seedCommand(props.images, props.registryHost, {
      platform: props.platform,
      sourceLogin: props.sourceLogin !== undefined,
    });
    this.authSecret = new SecretV1(this, "auth", {
      provider: props.provider,
      metadata: { name: "registry-seed-auth", namespace: props.namespace, labels },
      type: "kubernetes.io/dockerconfigjson",
      data: {
        ".dockerconfigjson": dockerConfigJson([{ host: props.registryHost, ...props.pushUser }]),
        "ca.crt": props.caCertificatePem,
        ...(props.sourceLogin ? { "source.json": dockerConfigJson([props.sourceLogin]) } : {}),
      },
    });
    this.job = new JobV1(this, "job", {
      provider: props.provider,
      metadata: {
        name: seedJobName({ ...props, sourceLogin: props.sourceLogin !== undefined }),
        namespace: props.namespace,
        labels,
      },
      // The apply waits for the copy and fails with "job: <ns>/<name> is in failed state" when
      // the Job fails (resourceKubernetesJobV1Create, retryUntilJobV1IsFinished, provider
      // v2.38.0); Terraform then marks the Job tainted ("an error occurs during a multi-step
      // create", https://developer.hashicorp.com/terraform/cli/commands/untaint), so the next
      // apply replaces it and copies again. It also holds the sample app until its image is in.
      waitForCompletion: true,
      timeouts: { create: SEED_APPLY_TIMEOUT, update: SEED_APPLY_TIMEOUT },
      dependsOn: props.dependsOn,
      spec: {
        backoffLimit: props.backoffLimit ?? 6,
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
                  { name: "auth", mountPath: AUTH_DIR, readOnly: true },
                  { name: "ca", mountPath: CA_DIR, readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volume: [
              {
                name: "auth",
                secret: {
                  secretName: this.authSecret.metadata.name,
                  items: [
                    { key: ".dockerconfigjson", path: "config.json" },
                    ...(props.sourceLogin ? [{ key: "source.json", path: "source.json" }] : []),
                  ],
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
