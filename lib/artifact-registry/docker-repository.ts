import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";

const SECONDS_PER_DAY = 86400;

export interface DockerRepositoryProps {
  readonly projectId: string;
  readonly location: string;
  readonly repositoryId: string;
  /** @default 10 */
  readonly keepRecentVersions?: number;
  /** @default 14 */
  readonly deleteUntaggedAfterDays?: number;
  /**
   * Resources to create first (the APIs these resources need).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** An Artifact Registry Docker repository with cleanup policies (tutorial 003, modernised). */
export class DockerRepository extends Construct {
  public readonly repository: ArtifactRegistryRepository;
  /** `<location>-docker.pkg.dev/<project>/<repository>` */
  public readonly url: string;
  /** Registry host clients log in to. */
  public readonly host: string;

  constructor(scope: Construct, id: string, props: DockerRepositoryProps) {
    super(scope, id);
    this.repository = new ArtifactRegistryRepository(this, "repository", {
      project: props.projectId,
      location: props.location,
      repositoryId: props.repositoryId,
      format: "DOCKER",
      dependsOn: props.dependsOn,
      description: "Container images for the application cluster",
      cleanupPolicies: [
        {
          id: "keep-recent",
          action: "KEEP",
          mostRecentVersions: { keepCount: props.keepRecentVersions ?? 10 },
        },
        {
          id: "delete-untagged",
          action: "DELETE",
          condition: {
            tagState: "UNTAGGED",
            olderThan: `${(props.deleteUntaggedAfterDays ?? 14) * SECONDS_PER_DAY}s`,
          },
        },
      ],
    });
    this.host = `${props.location}-docker.pkg.dev`;
    this.url = `${this.host}/${props.projectId}/${this.repository.repositoryId}`;
  }
}
