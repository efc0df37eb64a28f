import { Construct } from "constructs";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { appLabels, selectorLabels } from "../k8s/labels";
import type { PullAccess } from "./pull-access";

export interface SampleAppProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  /** The application namespace and its registry credential. */
  readonly pullAccess: PullAccess;
  /** Full image reference inside the private registry. */
  readonly image: string;
  /** @default 1 */
  readonly replicas?: number;
  /**
   * What must be done before the first pull (the image pushed, a cache serving, node trust).
   * @default only the pull secret and the namespace's service account
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Tutorial 000's proof: nginx pulled from the private registry with the namespace's pull
 * secret, created only after that secret and the default service account exist.
 */
export class SampleApp extends Construct {
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: SampleAppProps) {
    super(scope, id);
    const name = "nginx-from-registry";
    const labels = appLabels(name, "sample");
    const namespace = props.pullAccess.namespace.metadata.name;
    this.deployment = new DeploymentV1(this, "deployment", {
      provider: props.provider,
      metadata: { name, namespace, labels },
      waitForRollout: false,
      dependsOn: [...props.pullAccess.dependables, ...(props.dependsOn ?? [])],
      spec: {
        replicas: String(props.replicas ?? 1),
        selector: { matchLabels: selectorLabels(name) },
        template: {
          metadata: { labels },
          spec: props.pullAccess.podSpec({
            container: [
              {
                name: "nginx",
                image: props.image,
                port: [{ name: "http", containerPort: 80 }],
                resources: {
                  requests: { cpu: "50m", memory: "64Mi" },
                  limits: { cpu: "250m", memory: "128Mi" },
                },
              },
            ],
          }),
        },
      },
    });
    this.service = new ServiceV1(this, "service", {
      provider: props.provider,
      metadata: { name, namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: selectorLabels(name),
        port: [{ name: "http", port: 80, targetPort: "http" }],
      },
    });
  }
}
