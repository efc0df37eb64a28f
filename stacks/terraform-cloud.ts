import type { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { TfeProvider } from "@cdktf/provider-tfe/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import type { WorkspaceSetup } from "../lib/config/backend/workspace-setup";
import { TERRAFORM_CLOUD_STACK } from "../lib/contract/stack-names";
import { googleFootprintsOf } from "../lib/terraform-cloud/google-footprint";
import { KeylessGoogleCredentials } from "../lib/terraform-cloud/keyless-google-credentials";
import { stackGraphOf } from "../lib/terraform-cloud/stack-graph";
import { StackWorkspaces } from "../lib/terraform-cloud/stack-workspaces";
import { REQUIRED_TERRAFORM_VERSION } from "../lib/terraform/required-version";

export interface TerraformCloudStackProps {
  readonly setup: WorkspaceSetup;
  readonly environment: string;
  /** Every other stack of the app, already built: their workspaces, sharing and accounts. */
  readonly stacks: readonly TerraformStack[];
}

/**
 * The bootstrap (issue 23): Terraform Cloud workspaces for the other stacks, the sharing and
 * run triggers their contracts imply, and keyless Google credentials. It runs from a
 * workstation, with a Terraform Cloud token (TFE_TOKEN) and Google credentials allowed to
 * create pools, service accounts and IAM grants; its own state is local or in the workspace
 * it creates for itself (docs/terraform-cloud.md).
 */
export class TerraformCloudStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: TerraformCloudStackProps) {
    super(scope, id);
    const { setup } = props;
    configureStateBackend(this, TERRAFORM_CLOUD_STACK, setup.stateBackend, props.environment);
    // The token comes from TFE_TOKEN or the CLI credentials, never from the JSON
    // (terraform-provider-tfe v0.71.0 internal/client/config.go:235-241).
    new TfeProvider(this, "tfe", { hostname: setup.hostname, organization: setup.organization });
    // Every resource names its project: the provider needs none.
    new GoogleProvider(this, "google", {});
    const workspaces = new StackWorkspaces(this, "workspaces", {
      organization: setup.organization,
      projectName: setup.project,
      workspacePrefix: setup.workspacePrefix,
      graph: stackGraphOf(props.stacks),
      bootstrapStack: TERRAFORM_CLOUD_STACK,
      terraformVersion: REQUIRED_TERRAFORM_VERSION,
      autoApply: setup.autoApply,
      vcsRepo: setup.vcs && {
        identifier: setup.vcs.repository,
        branch: setup.vcs.branch,
        ...(setup.vcs.connection.startsWith("ghain-")
          ? { githubAppInstallationId: setup.vcs.connection }
          : { oauthTokenId: setup.vcs.connection }),
      },
      environment: props.environment,
    });
    if (setup.googleCredentials === "workload-identity") {
      new KeylessGoogleCredentials(this, "google-credentials", {
        hostname: setup.hostname,
        organization: setup.organization,
        poolId: setup.identityPoolId,
        environment: props.environment,
        footprints: googleFootprintsOf(props.stacks),
        workspaces: workspaces.workspaces,
      });
    }
  }
}

/** Write-only arguments (tfe_variable value_wo) and ephemeral variables need Terraform 1.11. */
export const TERRAFORM_CLOUD_STACK_VERSION = ">= 1.11.0";
