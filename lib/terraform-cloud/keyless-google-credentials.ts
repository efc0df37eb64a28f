import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { IamWorkloadIdentityPool } from "@cdktf/provider-google/lib/iam-workload-identity-pool";
import { IamWorkloadIdentityPoolProvider } from "@cdktf/provider-google/lib/iam-workload-identity-pool-provider";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { Variable } from "@cdktf/provider-tfe/lib/variable";
import type { Workspace } from "@cdktf/provider-tfe/lib/workspace";
import { ProjectServices } from "../gcp/project-services";
import type { GoogleFootprint } from "./google-footprint";

export interface KeylessGoogleCredentialsProps {
  /** Terraform Cloud or Enterprise host: the issuer of the runs' identity tokens. */
  readonly hostname: string;
  readonly organization: string;
  /** Id of the Workload Identity pool created in each project that holds a stack's account. */
  readonly poolId: string;
  /** Environment name, part of each service account's id. */
  readonly environment: string;
  /** What each stack does in Google Cloud (stacks without a home project get nothing). */
  readonly footprints: readonly GoogleFootprint[];
  /** Each stack's workspace, by stack name. */
  readonly workspaces: ReadonlyMap<string, Workspace>;
}

/** A project's pool (its name is projects/<number>/locations/global/workloadIdentityPools/<id>). */
export interface ProjectPool {
  readonly pool: IamWorkloadIdentityPool;
  readonly provider: IamWorkloadIdentityPoolProvider;
}

/** The pool's provider id: one per pool, for this Terraform Cloud host. */
export const TERRAFORM_CLOUD_PROVIDER_ID = "terraform-cloud";

/** Service account ids: 6-30 characters, a-z, 0-9 and '-', starting with a letter. */
const ACCOUNT_ID_LIMIT = 30;

/**
 * `tf-<stack>-<environment>`, or, when that is too long, its first characters and a digest of
 * it, so two stacks or environments never share an account.
 */
export function stackAccountId(stack: string, environment: string): string {
  const full = `tf-${stack}-${environment}`;
  if (full.length <= ACCOUNT_ID_LIMIT) return full;
  const digest = createHash("sha256").update(full).digest("hex").slice(0, 6);
  return `${full.slice(0, ACCOUNT_ID_LIMIT - 7).replace(/-+$/, "")}-${digest}`;
}

/** `roles/compute.networkAdmin` -> `compute-networkAdmin`, for construct ids. */
function roleIdPart(role: string): string {
  return role.replace(/^roles\//, "").replace(/[^A-Za-z0-9]+/g, "-");
}

/**
 * Keyless Google credentials for the workspaces (issue 23), through Terraform Cloud's dynamic
 * provider credentials
 * (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/gcp-configuration):
 * in each project holding a stack's service account, a Workload Identity pool whose OIDC
 * provider trusts the host's identity tokens only for this organization's workspaces of this
 * environment; per stack a service account with the roles its resources need in each project
 * (lib/terraform-cloud/google-roles.ts), which only its own workspace, by workspace id, may
 * impersonate; and the workspace variables that make the runs use it. No key exists anywhere.
 */
export class KeylessGoogleCredentials extends Construct {
  /** The pool and its provider, by project id. */
  public readonly pools: ReadonlyMap<string, ProjectPool>;
  /** By stack name. */
  public readonly serviceAccounts: ReadonlyMap<string, ServiceAccount>;

  constructor(scope: Construct, id: string, props: KeylessGoogleCredentialsProps) {
    super(scope, id);
    const homed = props.footprints.filter(
      (footprint): footprint is GoogleFootprint & { readonly homeProject: string } =>
        footprint.homeProject !== undefined && footprint.rolesByProject.size > 0,
    );
    const workspaceOf = (stack: string): Workspace => {
      const found = props.workspaces.get(stack);
      if (!found) throw new Error(`${stack}: no workspace`);
      return found;
    };
    const homeProjects = [...new Set(homed.map((footprint) => footprint.homeProject))].sort();
    const grantProjects = homed.flatMap((footprint) => [...footprint.rolesByProject.keys()]);
    // Each API on before its first use on a fresh project: IAM (accounts, pools) and Resource
    // Manager (project grants) everywhere; where runs sign in, the IAM Credentials API
    // (impersonation) and STS (token exchange).
    const apis = new Map(
      [...new Set([...homeProjects, ...grantProjects])].sort().map((project) => {
        const services = ["cloudresourcemanager.googleapis.com", "iam.googleapis.com"];
        if (homeProjects.includes(project)) {
          services.push("iamcredentials.googleapis.com", "sts.googleapis.com");
        }
        return [
          project,
          new ProjectServices(this, `apis-${project}`, { projectId: project, services }),
        ] as const;
      }),
    );
    const apisOf = (project: string): ProjectServices => {
      const found = apis.get(project);
      if (!found) throw new Error(`${project}: no APIs enabled`);
      return found;
    };
    this.pools = new Map(
      homeProjects.map((project) => {
        const names = homed
          .filter((footprint) => footprint.homeProject === project)
          // The configured name, a literal: the condition needs no workspace to exist first.
          .map((footprint) => {
            const workspace = workspaceOf(footprint.stack);
            return workspace.nameInput ?? workspace.name;
          });
        return [project, this.pool(project, names, apisOf(project), props)] as const;
      }),
    );
    this.serviceAccounts = new Map(
      homed.map((footprint) => {
        const pool = this.pools.get(footprint.homeProject);
        if (!pool) throw new Error(`${footprint.homeProject}: no pool`);
        return [
          footprint.stack,
          this.stackAccount(footprint, workspaceOf(footprint.stack), pool, apisOf, props),
        ] as const;
      }),
    );
  }

  /** The pool and its OIDC provider in `project`, admitting the workspaces `names`. */
  private pool(
    project: string,
    names: readonly string[],
    apis: ProjectServices,
    props: KeylessGoogleCredentialsProps,
  ): ProjectPool {
    const pool = new IamWorkloadIdentityPool(this, `pool-${project}`, {
      project,
      workloadIdentityPoolId: props.poolId,
      displayName: props.poolId,
      description: `Terraform Cloud runs of hybrid-registry environment ${props.environment}`,
      dependsOn: apis.services,
    });
    const list = names.map((name) => JSON.stringify(name)).join(", ");
    const provider = new IamWorkloadIdentityPoolProvider(this, `provider-${project}`, {
      project,
      workloadIdentityPoolId: pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: TERRAFORM_CLOUD_PROVIDER_ID,
      displayName: TERRAFORM_CLOUD_PROVIDER_ID,
      description: `Identity tokens of ${props.hostname} runs`,
      // The run's token claims (…/dynamic-provider-credentials/workload-identity-tokens).
      attributeMapping: {
        "google.subject": "assertion.sub",
        "attribute.terraform_organization_name": "assertion.terraform_organization_name",
        "attribute.terraform_workspace_id": "assertion.terraform_workspace_id",
        "attribute.terraform_workspace_name": "assertion.terraform_workspace_name",
        "attribute.terraform_run_phase": "assertion.terraform_run_phase",
      },
      attributeCondition: `assertion.terraform_organization_name == ${JSON.stringify(props.organization)} && assertion.terraform_workspace_name in [${list}]`,
      // No allowed audiences: the token's audience must then be this provider's own name,
      // which is what Terraform Cloud sends by default (google provider v6.50.0
      // resource_iam_workload_identity_pool_provider.go:238-256).
      oidc: { issuerUri: `https://${props.hostname}` },
    });
    return { pool, provider };
  }

  private stackAccount(
    footprint: GoogleFootprint & { readonly homeProject: string },
    workspace: Workspace,
    { pool, provider }: ProjectPool,
    apisOf: (project: string) => ProjectServices,
    props: KeylessGoogleCredentialsProps,
  ): ServiceAccount {
    const stack = footprint.stack;
    const account = new ServiceAccount(this, `account-${stack}`, {
      project: footprint.homeProject,
      accountId: stackAccountId(stack, props.environment),
      displayName: `Terraform Cloud: ${stack} (${props.environment})`,
      description: `Runs of workspace ${workspace.name}; roles from the resources the stack manages`,
      dependsOn: apisOf(footprint.homeProject).services,
    });
    for (const [project, roles] of footprint.rolesByProject) {
      for (const role of roles) {
        new ProjectIamMember(this, `grant-${stack}-${project}-${roleIdPart(role)}`, {
          project,
          role,
          member: account.member,
          dependsOn: apisOf(project).services,
        });
      }
    }
    new ServiceAccountIamMember(this, `impersonation-${stack}`, {
      serviceAccountId: account.name,
      role: "roles/iam.workloadIdentityUser",
      member: `principalSet://iam.googleapis.com/${pool.name}/attribute.terraform_workspace_id/${workspace.id}`,
    });
    const environmentVariable = (key: string, value: string) =>
      new Variable(this, `${stack}-${key}`, {
        workspaceId: workspace.id,
        category: "env",
        key,
        value,
        description: "Dynamic provider credentials (keyless Google access)",
      });
    environmentVariable("TFC_GCP_PROVIDER_AUTH", "true");
    environmentVariable("TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL", account.email);
    environmentVariable("TFC_GCP_WORKLOAD_PROVIDER_NAME", provider.name);
    return account;
  }
}
