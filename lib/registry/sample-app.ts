import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { appLabels, selectorLabels } from "../k8s/labels";

export interface SampleAppProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  /** Full image reference inside the private registry. */
  readonly image: string;
  /** @default 1 */
  readonly replicas?: number;
}

/**
 * Tutorial 000's proof: nginx pulled from the private registry, relying on the namespace's
 * default service account for the pull secret.
 */
export class SampleApp extends Construct {
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: SampleAppProps) {
    super(scope, id);
    const name = "nginx-from-registry";
    const labels = appLabels(name, "sample");
    this.deployment = new DeploymentV1(this, "deployment", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      waitForRollout: false,
      spec: {
        replicas: String(props.replicas ?? 1),
        selector: { matchLabels: selectorLabels(name) },
        template: {
          metadata: { labels },
          spec: {
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
          },
        },
      },
    });
    this.service = new ServiceV1(this, "service", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: selectorLabels(name),
        port: [{ name: "http", port: 80, targetPort: "http" }],
      },
    });
  }
}
