import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { ProjectService } from "@cdktf/provider-google/lib/project-service";

export interface ProjectServicesProps {
  /**
   * Google provider of the project.
   * @default the stack's default google provider
   */
  readonly provider?: TerraformProvider;
  readonly projectId: string;
  /** API names, e.g. `compute.googleapis.com`. */
  readonly services: readonly string[];
}

/**
 * Enables the APIs a stack needs. They stay enabled on destroy: other workloads in the
 * project may depend on them, and disabling an API deletes its resources.
 */
export class ProjectServices extends Construct {
  /** Resources to depend on before using any of the APIs. */
  public readonly services: ProjectService[];

  constructor(scope: Construct, id: string, props: ProjectServicesProps) {
    super(scope, id);
    this.services = props.services.map(
      (service) =>
        new ProjectService(this, service, {
          provider: props.provider,
          project: props.projectId,
          service,
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
    );
  }
}
