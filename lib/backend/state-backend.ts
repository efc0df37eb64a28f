import type { Construct } from "constructs";
import {
  CloudBackend,
  DataTerraformRemoteState,
  DataTerraformRemoteStateGcs,
  DataTerraformRemoteStateLocal,
  GcsBackend,
  LocalBackend,
  NamedCloudWorkspace,
  type TerraformRemoteState,
  type TerraformStack,
} from "cdktf";
import { StateIdentity } from "./state-identity";

/** Where a stack keeps its state; producer and consumer always use the same settings. */
export type StateBackendSettings =
  | {
      readonly type: "local";
      /** State directory relative to the project root. */
      readonly directory: string;
    }
  | {
      readonly type: "gcs";
      readonly bucket: string;
      readonly prefix: string;
      /**
       * Cloud KMS key for customer-managed encryption of the state objects
       * (https://developer.hashicorp.com/terraform/language/backend/gcs#kms_encryption_key).
       * Readers need no setting: GCS decrypts for principals allowed to use the key.
       * @default Google-managed encryption
       */
      readonly kmsEncryptionKey?: string;
    }
  | {
      readonly type: "cloud";
      readonly hostname: string;
      readonly organization: string;
      readonly workspacePrefix: string;
    };

/**
 * Terraform runs in cdktf.out/stacks/<stack>; relative paths resolve from there, so the
 * synthesized JSON holds no machine path.
 */
function localStatePath(directory: string, stackName: string): string {
  return `../../../${directory}/${stackName}.tfstate`;
}

function gcsStatePrefix(prefix: string, stackName: string): string {
  return `${prefix}/${stackName}`;
}

function cloudWorkspaceName(workspacePrefix: string, stackName: string): string {
  return `${workspacePrefix}-${stackName}`;
}

/**
 * Configure the backend of `stack`, whose name is `stackName`, in the environment
 * `environment`: the stack refuses state another environment wrote, and publishes its
 * environment's name for its readers (see StateIdentity).
 */
export function configureStateBackend(
  stack: TerraformStack,
  stackName: string,
  settings: StateBackendSettings,
  environment: string,
): void {
  new StateIdentity(stack, "state-identity", { environment, stackName });
  switch (settings.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(settings.directory, stackName) });
      return;
    case "gcs":
      new GcsBackend(stack, {
        bucket: settings.bucket,
        prefix: gcsStatePrefix(settings.prefix, stackName),
        kmsEncryptionKey: settings.kmsEncryptionKey,
      });
      return;
    case "cloud":
      new CloudBackend(stack, {
        hostname: settings.hostname,
        organization: settings.organization,
        workspaces: new NamedCloudWorkspace(
          cloudWorkspaceName(settings.workspacePrefix, stackName),
        ),
      });
      return;
  }
}

/** A remote-state data source reading the state of `producerName` with the same settings. */
export function remoteStateOf(
  scope: Construct,
  id: string,
  producerName: string,
  settings: StateBackendSettings,
): TerraformRemoteState {
  switch (settings.type) {
    case "local":
      return new DataTerraformRemoteStateLocal(scope, id, {
        path: localStatePath(settings.directory, producerName),
      });
    case "gcs":
      return new DataTerraformRemoteStateGcs(scope, id, {
        bucket: settings.bucket,
        prefix: gcsStatePrefix(settings.prefix, producerName),
      });
    case "cloud":
      // terraform_remote_state with the remote backend reads HCP Terraform / TFE workspaces
      // without an extra provider; the producer workspace must share its state with the consumer.
      return new DataTerraformRemoteState(scope, id, {
        hostname: settings.hostname,
        organization: settings.organization,
        workspaces: { name: cloudWorkspaceName(settings.workspacePrefix, producerName) },
      });
  }
}

/** Where a stack's state lives, for messages; and its file when the backend is local. */
export function stateLocationOf(
  stackName: string,
  settings: StateBackendSettings,
): { readonly description: string; readonly localPath?: string } {
  switch (settings.type) {
    case "local": {
      const path = localStatePath(settings.directory, stackName);
      return { description: `${settings.directory}/${stackName}.tfstate`, localPath: path };
    }
    case "gcs":
      return {
        description: `gs://${settings.bucket}/${gcsStatePrefix(settings.prefix, stackName)}`,
      };
    case "cloud":
      return {
        description: `workspace ${cloudWorkspaceName(settings.workspacePrefix, stackName)} on ${settings.hostname}`,
      };
  }
}
