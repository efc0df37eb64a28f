import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { PriorityClassV1 } from "@cdktf/provider-kubernetes/lib/priority-class-v1";
import { appLabels } from "../k8s/labels";

/** Above every workload (default 0), far below the system classes (2,000,000,000 and up). */
export const REGISTRY_PRIORITY = 1_000_000;

export interface RegistryPriorityClassProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  /** @default "hybrid-registry-critical" */
  readonly name?: string;
}

/**
 * A PriorityClass for the registry and its cache: when a node runs short, the scheduler evicts
 * and preempts ordinary pods before them (https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/),
 * because every new pod that pulls from the registry needs it running.
 */
export class RegistryPriorityClass extends Construct {
  public readonly priorityClass: PriorityClassV1;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: RegistryPriorityClassProps = {}) {
    super(scope, id);
    this.priorityClass = new PriorityClassV1(this, "priority-class", {
      provider: props.provider,
      metadata: {
        name: props.name ?? "hybrid-registry-critical",
        labels: appLabels("registry", "priority-class"),
      },
      value: REGISTRY_PRIORITY,
      globalDefault: false,
      preemptionPolicy: "PreemptLowerPriority",
      description: "Container registry the cluster's nodes pull from: keep it running first",
    });
    this.name = this.priorityClass.metadata.name;
  }
}
