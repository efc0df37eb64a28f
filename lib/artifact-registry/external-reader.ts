import { Construct } from "constructs";
import { Fn, type ITerraformDependable } from "cdktf";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountKey } from "@cdktf/provider-google/lib/service-account-key";
import { ArtifactRegistryRepositoryIamMember } from "@cdktf/provider-google/lib/artifact-registry-repository-iam-member";
import type { DockerRepository } from "./docker-repository";

export interface ExternalReaderProps {
  readonly projectId: string;
  readonly repository: DockerRepository;
  readonly accountId: string;
  /**
   * Resources to create first (the APIs these resources need).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A read-only identity for clusters outside GKE, which have no node identity: a service
 * account with `artifactregistry.reader` on one repository and a key, rendered as a
 * `.dockerconfigjson` with the `_json_key` user. Never `storage.admin`.
 */
export class ExternalReader extends Construct {
  public readonly account: ServiceAccount;
  public readonly key: ServiceAccountKey;
  public readonly repositoryReader: ArtifactRegistryRepositoryIamMember;
  /** Sensitive: ready to use as a `kubernetes.io/dockerconfigjson` secret. */
  public readonly dockerConfigJson: string;

  constructor(scope: Construct, id: string, props: ExternalReaderProps) {
    super(scope, id);
    this.account = new ServiceAccount(this, "account", {
      project: props.projectId,
      accountId: props.accountId,
      displayName: "Artifact Registry reader for clusters outside GKE",
      dependsOn: props.dependsOn,
    });
    this.repositoryReader = new ArtifactRegistryRepositoryIamMember(this, "reader", {
      project: props.projectId,
      location: props.repository.repository.location,
      repository: props.repository.repository.name,
      role: "roles/artifactregistry.reader",
      member: this.account.member,
    });
    this.key = new ServiceAccountKey(this, "key", { serviceAccountId: this.account.name });
    const keyJson = Fn.base64decode(this.key.privateKey);
    this.dockerConfigJson = Fn.jsonencode({
      auths: {
        [props.repository.host]: {
          username: "_json_key",
          password: keyJson,
          auth: Fn.base64encode(Fn.join("", ["_json_key:", keyJson])),
        },
      },
    });
  }
}
