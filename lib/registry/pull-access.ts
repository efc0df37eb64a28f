import { Construct } from "constructs";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { DefaultServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/default-service-account-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { appLabels } from "../k8s/labels";
import { podSecurityLabels, type PodSecurityLevel } from "../k8s/pod-security";
import { dockerConfigJson, type RegistryLogin } from "./docker-config";

export interface PullAccessProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  /** Namespace to create for the applications. */
  readonly namespace: string;
  /** Registries (the registry, and the cache when there is one) and the pulling user. */
  readonly logins: readonly RegistryLogin[];
  /**
   * Pod Security Standards level enforced in the namespace.
   * @default "baseline"
   */
  readonly podSecurity?: PodSecurityLevel;
}

/**
 * An application namespace whose pods pull from the private registry without per-pod
 * settings: a dockerconfigjson secret attached to the namespace's default service account.
 * `kubernetes_default_service_account_v1` owns the account's whole `imagePullSecrets` list:
 * secrets added by hand are removed on the next apply.
 *
 * The account's secrets reach a pod only when the pod is admitted: the ServiceAccount
 * admission plugin copies them into a pod that has none when the pod is created, and never
 * later (kubernetes/kubernetes plugin/pkg/admission/serviceaccount/admission.go, `Admit`;
 * https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount).
 * A pod created
 * while the account is still being patched stays in ImagePullBackOff. Workloads this project
 * creates therefore use {@link PullAccess.podSpec} and {@link PullAccess.dependables}.
 */
export class PullAccess extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly pullSecret: SecretV1;
  public readonly defaultServiceAccount: DefaultServiceAccountV1;
  /** What a workload pulling from the registry must be created after. */
  public readonly dependables: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: PullAccessProps) {
    super(scope, id);
    const labels = appLabels("registry-pull", "pull-access");
    this.namespace = new NamespaceV1(this, "namespace", {
      provider: props.provider,
      metadata: {
        name: props.namespace,
        labels: { ...labels, ...podSecurityLabels(props.podSecurity ?? "baseline") },
      },
    });
    this.pullSecret = new SecretV1(this, "pull-secret", {
      provider: props.provider,
      metadata: { name: "registry-pull", namespace: this.namespace.metadata.name, labels },
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": dockerConfigJson(props.logins) },
    });
    this.defaultServiceAccount = new DefaultServiceAccountV1(this, "default-sa", {
      provider: props.provider,
      metadata: { namespace: this.namespace.metadata.name },
      imagePullSecret: [{ name: this.pullSecret.metadata.name }],
    });
    this.dependables = [this.pullSecret, this.defaultServiceAccount];
  }

  /**
   * A pod spec for images from the registry: it names the pull secret itself, so a pod never
   * depends on the default service account having been patched before it was admitted.
   */
  public podSpec<Spec extends object>(spec: Spec): Spec & RegistryPullSecrets {
    return { ...spec, imagePullSecrets: [{ name: this.pullSecret.metadata.name }] };
  }
}

/** The pod-spec field that makes the kubelet pull with the registry credential. */
export interface RegistryPullSecrets {
  readonly imagePullSecrets: Array<{ readonly name: string }>;
}
