/**
 * The opt-in terraform-cloud stack (issue 23): workspaces, remote-state sharing and run
 * triggers from the stack graph, sensitive inputs written write-only, keyless Google
 * credentials. Read from the synthesized JSON of the variants in helpers/environments.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TERRAFORM_CLOUD_STACK } from "../lib/contract/stack-names";
import { googleRolesFor, GOOGLE_ROLES_BY_TYPE } from "../lib/terraform-cloud/google-roles";
import { stackAccountId } from "../lib/terraform-cloud/keyless-google-credentials";
import { runTriggerEdges, type StackNode } from "../lib/terraform-cloud/stack-graph";
import { REQUIRED_TERRAFORM_VERSION } from "../lib/terraform/required-version";
import {
  SYNTH_NAMES,
  configOf,
  dependenciesOf,
  stacksOf,
  type SynthName,
} from "./helpers/environments";
import { ROOT } from "./helpers/config";
import { allStrings, resourcesOf, type StackJson } from "./helpers/json";

const bootstrapOf = (name: SynthName): StackJson => {
  const stack = stacksOf(name)[TERRAFORM_CLOUD_STACK] as StackJson | undefined;
  if (!stack) throw new Error(`${name} has no ${TERRAFORM_CLOUD_STACK} stack`);
  return stack;
};

/** `${tfe_workspace.<id>.id}` -> the stack the workspace runs (its name without the prefix). */
function workspaceStacks(stack: StackJson, prefix: string): Map<string, string> {
  return new Map(
    resourcesOf(stack, "tfe_workspace").map(([id, body]) => [
      `\${tfe_workspace.${id}.id}`,
      String(body.name).slice(prefix.length + 1),
    ]),
  );
}

function prefixOf(name: SynthName): string {
  const backend = configOf(name).backend;
  if (backend.type !== "cloud") throw new Error(`${name}: not a cloud backend`);
  return backend.workspacePrefix;
}

function stackOfReference(stacks: Map<string, string>, reference: unknown): string {
  const stack = stacks.get(String(reference));
  if (stack === undefined) throw new Error(`${String(reference)}: not a workspace id`);
  return stack;
}

/** Producer stack -> the stacks its state is shared with, sorted. */
function sharingOf(name: SynthName): Record<string, string[]> {
  const stack = bootstrapOf(name);
  const stacks = workspaceStacks(stack, prefixOf(name));
  return Object.fromEntries(
    resourcesOf(stack, "tfe_workspace_settings").map(([, body]) => [
      stackOfReference(stacks, body.workspace_id),
      (body.remote_state_consumer_ids as string[]).map((id) => stackOfReference(stacks, id)).sort(),
    ]),
  );
}

/** "source -> target" for every run trigger, sorted. */
function triggersOf(name: SynthName): string[] {
  const stack = bootstrapOf(name);
  const stacks = workspaceStacks(stack, prefixOf(name));
  return resourcesOf(stack, "tfe_run_trigger")
    .map(
      ([, body]) =>
        `${stackOfReference(stacks, body.sourceable_id)} -> ${stackOfReference(stacks, body.workspace_id)}`,
    )
    .sort();
}

describe("the terraform-cloud stack", () => {
  it("is only there with the opt-in, and changes nothing else", () => {
    const optedIn = SYNTH_NAMES.filter((name) => TERRAFORM_CLOUD_STACK in stacksOf(name));
    expect(optedIn.sort()).toEqual(
      [
        "exampleTerraformCloud",
        "workspaceSetupExternalSides",
        "workspaceSetupOneSide",
        "workspaceSetupSides",
        "workspaceSetupSidesWithoutStaging",
        "workspaceSetupStandaloneS3",
      ].sort(),
    );
    // The same environment with a plain cloud backend: identical stacks but for the bootstrap.
    const { [TERRAFORM_CLOUD_STACK]: bootstrap, ...others } = stacksOf("workspaceSetupOneSide");
    expect(bootstrap).toBeDefined();
    const plain = stacksOf("backendCloud");
    expect(Object.keys(others)).toEqual(Object.keys(plain));
    for (const [stackName, stack] of Object.entries(others)) {
      expect(stack.resource).toEqual(plain[stackName].resource);
    }
  });

  it("is applied first: every other stack depends on it", () => {
    const dependencies = dependenciesOf("workspaceSetupSides");
    for (const [stack, after] of Object.entries(dependencies)) {
      if (stack !== TERRAFORM_CLOUD_STACK) expect(after).toContain(TERRAFORM_CLOUD_STACK);
    }
    expect(dependencies[TERRAFORM_CLOUD_STACK]).toEqual([]);
  });

  it("creates the project and one workspace per stack, named as the stacks' backends name them", () => {
    const stacks = stacksOf("workspaceSetupSides");
    const bootstrap = bootstrapOf("workspaceSetupSides");
    const prefix = prefixOf("workspaceSetupSides");
    const names = resourcesOf(bootstrap, "tfe_workspace").map(([, body]) => body.name);
    expect(names.sort()).toEqual(
      Object.keys(stacks)
        .map((stack) => `${prefix}-${stack}`)
        .sort(),
    );
    for (const [stack, json] of Object.entries(stacks)) {
      if (stack === TERRAFORM_CLOUD_STACK) continue;
      expect(json.terraform.cloud).toMatchObject({ workspaces: { name: `${prefix}-${stack}` } });
    }
    const [[projectId, project]] = resourcesOf(bootstrap, "tfe_project");
    expect(project).toMatchObject({ name: prefix, organization: "platform" });
    for (const [, workspace] of resourcesOf(bootstrap, "tfe_workspace")) {
      expect(workspace.project_id).toBe(`\${tfe_project.${projectId}.id}`);
      // No run before its credentials and variables exist.
      expect(workspace.queue_all_runs).toBe(false);
    }
  });

  it("runs each stack with the stacks' Terraform, without auto-apply by default", () => {
    const bootstrap = bootstrapOf("workspaceSetupSides");
    const prefix = prefixOf("workspaceSetupSides");
    for (const [, workspace] of resourcesOf(bootstrap, "tfe_workspace")) {
      const stack = String(workspace.name).slice(prefix.length + 1);
      if (stack === TERRAFORM_CLOUD_STACK) continue;
      expect(workspace).toMatchObject({
        terraform_version: REQUIRED_TERRAFORM_VERSION,
        auto_apply: false,
        auto_apply_run_trigger: false,
      });
      // CLI-driven: the run uploads the folder it is started in, the stack's.
      expect(workspace.vcs_repo).toBeUndefined();
      expect(workspace.working_directory).toBeUndefined();
    }
    const autoApplied = resourcesOf(bootstrapOf("workspaceSetupExternalSides"), "tfe_workspace");
    expect(autoApplied.filter(([, body]) => body.auto_apply === true)).toHaveLength(
      autoApplied.length - 1,
    );
  });

  it("connects the workspaces to the repository for the VCS-driven flow", () => {
    const bootstrap = bootstrapOf("exampleTerraformCloud");
    for (const [, workspace] of resourcesOf(bootstrap, "tfe_workspace")) {
      if (String(workspace.name).endsWith(TERRAFORM_CLOUD_STACK)) {
        expect(workspace.vcs_repo).toBeUndefined();
        continue;
      }
      expect(workspace.vcs_repo).toEqual({
        identifier: "acme-platform/platform-registry",
        branch: "main",
        oauth_token_id: "ot-AbCdEf123456",
      });
      const stack = String(workspace.name).slice("platform-registry-prod-".length);
      expect(workspace.working_directory).toBe(`cdktf.out/stacks/${stack}`);
    }
  });

  it("keeps its own state local, or in its own workspace run locally", () => {
    expect(bootstrapOf("workspaceSetupOneSide").terraform.backend).toEqual({
      local: { path: "../../../state/example/terraform-cloud.tfstate" },
    });
    const inWorkspace = bootstrapOf("workspaceSetupExternalSides");
    expect(inWorkspace.terraform.cloud).toMatchObject({
      hostname: "tfe.example.com",
      organization: "platform",
      workspaces: { name: `registry-${TERRAFORM_CLOUD_STACK}` },
    });
    const settings = resourcesOf(inWorkspace, "tfe_workspace_settings").map(([, body]) => body);
    expect(settings.filter((body) => body.execution_mode === "local")).toHaveLength(1);
  });
});

describe("remote-state sharing: each producer with exactly the stacks reading its contract", () => {
  it("one side", () => {
    expect(sharingOf("workspaceSetupOneSide")).toEqual({
      "onprem-network": ["cloud-network", "workloads"],
      "cloud-network": ["workloads"],
      workloads: [],
      [TERRAFORM_CLOUD_STACK]: [],
    });
  });

  it("several sides", () => {
    expect(sharingOf("workspaceSetupSides")).toEqual({
      "onprem-network": [
        "cloud-network-dev",
        "cloud-network-prod",
        "cloud-network-staging",
        "registry",
        "workloads-dev",
        "workloads-prod",
        "workloads-staging",
      ],
      registry: ["workloads-dev", "workloads-prod", "workloads-staging"],
      "cloud-network-dev": ["workloads-dev"],
      "cloud-network-staging": ["workloads-staging"],
      "cloud-network-prod": ["workloads-prod"],
      "workloads-dev": [],
      "workloads-staging": [],
      "workloads-prod": [],
      [TERRAFORM_CLOUD_STACK]: [],
    });
  });

  it("is never shared with every workspace", () => {
    for (const [, body] of resourcesOf(
      bootstrapOf("workspaceSetupSides"),
      "tfe_workspace_settings",
    )) {
      expect(body.global_remote_state).toBe(false);
    }
  });

  it("follows the contract reads in the code: every remote state a stack reads is shared with it", () => {
    const name: SynthName = "workspaceSetupSides";
    const prefix = prefixOf(name);
    const sharing = sharingOf(name);
    for (const [consumer, stack] of Object.entries(stacksOf(name))) {
      const read = Object.values(stack.data?.terraform_remote_state ?? {}).map((body) =>
        String((body.config as { workspaces: { name: string } }).workspaces.name).slice(
          prefix.length + 1,
        ),
      );
      for (const producer of read) expect(sharing[producer]).toContain(consumer);
      const sharedWith = Object.entries(sharing)
        .filter(([, consumers]) => consumers.includes(consumer))
        .map(([producer]) => producer);
      expect(sharedWith.sort()).toEqual([...new Set(read)].sort());
    }
  });
});

describe("run triggers along the deploy order", () => {
  it("one side: onprem-network, then cloud-network, then workloads", () => {
    expect(triggersOf("workspaceSetupOneSide")).toEqual([
      "cloud-network -> workloads",
      "onprem-network -> cloud-network",
    ]);
  });

  it("several sides on a simulated on-prem: the sides' network stacks one after another", () => {
    expect(triggersOf("workspaceSetupSides")).toEqual([
      "cloud-network-dev -> cloud-network-staging",
      "cloud-network-dev -> workloads-dev",
      "cloud-network-prod -> workloads-prod",
      "cloud-network-staging -> cloud-network-prod",
      "cloud-network-staging -> workloads-staging",
      "onprem-network -> cloud-network-dev",
      "onprem-network -> registry",
      "registry -> workloads-dev",
      "registry -> workloads-prod",
      "registry -> workloads-staging",
    ]);
  });

  it("several sides on a real peer: no shared router, no chain", () => {
    const triggers = triggersOf("workspaceSetupExternalSides");
    const networks = triggers.filter((edge) => /^cloud-network-\S+ -> cloud-network-/.test(edge));
    expect(networks).toEqual([]);
    const sides = Object.keys(stacksOf("workspaceSetupExternalSides")).filter((stack) =>
      stack.startsWith("cloud-network-"),
    );
    for (const side of sides) expect(triggers).toContain(`onprem-network -> ${side}`);
  });

  it("leaves out an edge another path implies (transitive reduction)", () => {
    const graph: StackNode[] = [
      { name: "a", reads: [], after: [], sensitiveInputs: [] },
      { name: "b", reads: ["a"], after: ["a"], sensitiveInputs: [] },
      { name: "c", reads: ["a", "b"], after: ["a", "b"], sensitiveInputs: [] },
      { name: "d", reads: ["a"], after: ["a", "c"], sensitiveInputs: [] },
    ];
    expect(runTriggerEdges(graph)).toEqual([
      { source: "a", target: "b" },
      { source: "b", target: "c" },
      { source: "c", target: "d" },
    ]);
  });
});

describe("adding or removing a side", () => {
  it("changes only that side's objects, its producers' sharing and the router chain around it", () => {
    const withStaging = bootstrapOf("workspaceSetupSides").resource ?? {};
    const without = bootstrapOf("workspaceSetupSidesWithoutStaging").resource ?? {};
    const addresses = (resources: typeof withStaging) =>
      new Map(
        Object.entries(resources).flatMap(([type, byId]) =>
          Object.entries(byId).map(([id, body]) => [`${type}.${id}`, body] as const),
        ),
      );
    const before = addresses(withStaging);
    const after = addresses(without);
    const removed = [...before.keys()].filter((address) => !after.has(address));
    const added = [...after.keys()].filter((address) => !before.has(address));
    const changed = [...after.keys()].filter(
      (address) =>
        before.has(address) &&
        JSON.stringify(before.get(address)) !== JSON.stringify(after.get(address)),
    );
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.filter((address) => !address.includes("staging"))).toEqual([]);
    // The chain dev -> staging -> prod becomes dev -> prod.
    expect(added).toEqual([
      expect.stringMatching(
        /^tfe_run_trigger\.workspaces_trigger-cloud-network-dev-to-cloud-network-prod_/,
      ),
    ]);
    expect(changed.sort()).toEqual([
      expect.stringMatching(/^tfe_workspace_settings\.workspaces_settings-onprem-network_/),
      expect.stringMatching(/^tfe_workspace_settings\.workspaces_settings-registry_/),
    ]);
  });
});

describe("sensitive inputs", () => {
  it("become sensitive workspace variables written write-only from ephemeral inputs", () => {
    const bootstrap = bootstrapOf("workspaceSetupSides");
    expect(bootstrap.variable?.seed_source_password).toMatchObject({
      type: "string",
      sensitive: true,
      ephemeral: true,
      nullable: false,
    });
    const variables = resourcesOf(bootstrap, "tfe_variable").filter(
      ([, body]) => body.key === "seed_source_password",
    );
    // Only the registry stack declares it.
    expect(variables).toHaveLength(1);
    const [[, variable]] = variables;
    expect(variable).toMatchObject({
      category: "terraform",
      sensitive: true,
      value_wo: "${var.seed_source_password}",
    });
    expect(variable.value).toBeUndefined();
    const stacks = workspaceStacks(bootstrap, prefixOf("workspaceSetupSides"));
    expect(stackOfReference(stacks, variable.workspace_id)).toBe("registry");
    // The stack that uses it declares it as a sensitive variable without a default.
    expect(stacksOf("workspaceSetupSides").registry.variable?.seed_source_password).toMatchObject({
      sensitive: true,
    });
  });

  it("the S3 secret key of a standalone registry too", () => {
    const bootstrap = bootstrapOf("workspaceSetupStandaloneS3");
    const [[, variable]] = resourcesOf(bootstrap, "tfe_variable").filter(
      ([, body]) => body.key === "registry_s3_secret_key",
    );
    expect(variable).toMatchObject({ value_wo: "${var.registry_s3_secret_key}", sensitive: true });
  });

  it("no workspace variable holds a value in the JSON but the credential settings", () => {
    for (const name of ["workspaceSetupSides", "workspaceSetupStandaloneS3"] as const) {
      for (const [, body] of resourcesOf(bootstrapOf(name), "tfe_variable")) {
        if (body.category === "terraform") expect(body.value).toBeUndefined();
        else expect(String(body.key)).toMatch(/^TFC_GCP_/);
      }
    }
  });
});

describe("keyless Google credentials", () => {
  const name: SynthName = "workspaceSetupSides";
  const bootstrap = () => bootstrapOf(name);

  it("a pool and an OIDC provider in each project holding a stack's account, for this host", () => {
    const pools = resourcesOf(bootstrap(), "google_iam_workload_identity_pool").map(
      ([, body]) => body.project,
    );
    expect(pools.sort()).toEqual(
      ["dev-apps-123", "onprem-project-123", "prod-apps-123", "staging-apps-123"].sort(),
    );
    for (const [, provider] of resourcesOf(
      bootstrap(),
      "google_iam_workload_identity_pool_provider",
    )) {
      expect(provider.oidc).toEqual({ issuer_uri: "https://app.terraform.io" });
      expect(provider.workload_identity_pool_id).toMatch(
        /^\$\{google_iam_workload_identity_pool\./,
      );
    }
  });

  it("admits only this organization's workspaces of this environment", () => {
    const prefix = prefixOf(name);
    const conditions = resourcesOf(bootstrap(), "google_iam_workload_identity_pool_provider").map(
      ([, body]) => ({ project: body.project, condition: String(body.attribute_condition) }),
    );
    const onprem = conditions.find((entry) => entry.project === "onprem-project-123");
    expect(onprem?.condition).toBe(
      `assertion.terraform_organization_name == "platform" && assertion.terraform_workspace_name in ["${prefix}-onprem-network", "${prefix}-registry"]`,
    );
    for (const { condition } of conditions) {
      const names = [...condition.matchAll(/"([^"]+)"/g)].map((match) => match[1]).slice(1);
      for (const workspace of names) expect(workspace.startsWith(`${prefix}-`)).toBe(true);
    }
  });

  it("one service account per stack, impersonated only by its own workspace, with its variables", () => {
    const stacks = workspaceStacks(bootstrap(), prefixOf(name));
    const accounts = resourcesOf(bootstrap(), "google_service_account");
    const stackNames = Object.keys(stacksOf(name)).filter(
      (stack) => stack !== TERRAFORM_CLOUD_STACK,
    );
    expect(accounts).toHaveLength(stackNames.length);
    const impersonations = resourcesOf(bootstrap(), "google_service_account_iam_member");
    expect(impersonations).toHaveLength(stackNames.length);
    for (const [, grant] of impersonations) {
      expect(grant.role).toBe("roles/iam.workloadIdentityUser");
      const member = String(grant.member);
      const workspace = /attribute\.terraform_workspace_id\/(\$\{tfe_workspace\.[^}]+\})$/.exec(
        member,
      )?.[1];
      expect(member).toMatch(
        /^principalSet:\/\/iam\.googleapis\.com\/\$\{google_iam_workload_identity_pool\./,
      );
      expect(stackNames).toContain(stackOfReference(stacks, workspace));
    }
    const variables = resourcesOf(bootstrap(), "tfe_variable").filter(
      ([, body]) => body.category === "env",
    );
    for (const stack of stackNames) {
      const own = variables
        .filter(([, body]) => stackOfReference(stacks, body.workspace_id) === stack)
        .map(([, body]) => body.key)
        .sort();
      expect(own).toEqual([
        "TFC_GCP_PROVIDER_AUTH",
        "TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL",
        "TFC_GCP_WORKLOAD_PROVIDER_NAME",
      ]);
    }
  });

  it("grants each stack the roles its resources need, where they are, and never owner or editor", () => {
    const grants = resourcesOf(bootstrap(), "google_project_iam_member").map(([id, body]) => ({
      id,
      project: String(body.project),
      role: String(body.role),
    }));
    expect(grants.map((grant) => grant.role)).not.toContain("roles/owner");
    expect(grants.map((grant) => grant.role)).not.toContain("roles/editor");
    const of = (stack: string, project: string) =>
      grants
        .filter((grant) => grant.id.startsWith(`google-credentials_grant-${stack}-${project}-`))
        .map((grant) => grant.role)
        .sort();
    // A side's network adds interfaces and peers to the on-prem router: network admin there only.
    expect(of("cloud-network-dev", "onprem-project-123")).toEqual(["roles/compute.networkAdmin"]);
    expect(of("cloud-network-dev", "dev-apps-123")).toEqual(
      expect.arrayContaining(["roles/compute.networkAdmin", "roles/container.clusterAdmin"]),
    );
    // The registry's workloads: Kubernetes objects and snapshot schedules on the registry cluster.
    expect(of("registry", "onprem-project-123")).toEqual([
      "roles/compute.storageAdmin",
      "roles/container.developer",
      "roles/secretmanager.secretAccessor",
    ]);
    expect(of("workloads-dev", "dev-apps-123")).toEqual(["roles/container.developer"]);
  });

  it("docs/terraform-cloud.md lists the roles the example's stack grants", () => {
    const documented = new Map<string, string[]>();
    const page = readFileSync(join(ROOT, "docs", "terraform-cloud.md"), "utf8");
    for (const match of page.matchAll(
      /^\s*\| `([a-z-]+)`\s*\|[^|]*\(`([a-z0-9-]+)`\)\s*\|([^|]+)\|/gm,
    )) {
      const roles = match[3]
        .replace(/\([^)]*\)/g, "")
        .split(",")
        .map((role) => `roles/${role.trim()}`)
        .sort();
      documented.set(`${match[1]} in ${match[2]}`, roles);
    }
    const granted = new Map<string, string[]>();
    for (const [id, body] of resourcesOf(
      bootstrapOf("exampleTerraformCloud"),
      "google_project_iam_member",
    )) {
      const project = String(body.project);
      const prefix = "google-credentials_grant-";
      const stack = id.slice(prefix.length, id.indexOf(`-${project}-`));
      const key = `${stack} in ${project}`;
      granted.set(key, [...(granted.get(key) ?? []), String(body.role)].sort());
    }
    expect(documented.size).toBeGreaterThan(0);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(granted));
  });

  it("are left out with googleCredentials: none", () => {
    const bootstrap = bootstrapOf("workspaceSetupExternalSides");
    expect(
      Object.keys(bootstrap.resource ?? {}).filter((type) => type.startsWith("google_")),
    ).toEqual([]);
  });

  it("knows the roles of every Google type any stack manages", () => {
    const types = new Set<string>();
    for (const synthName of SYNTH_NAMES) {
      for (const [stackName, stack] of Object.entries(stacksOf(synthName))) {
        if (stackName === TERRAFORM_CLOUD_STACK) continue;
        for (const type of Object.keys(stack.resource ?? {})) types.add(type);
        for (const type of Object.keys(stack.data ?? {})) types.add(`data.${type}`);
      }
    }
    const google = [...types].filter((type) => type.replace(/^data\./, "").startsWith("google_"));
    expect(() => googleRolesFor(google)).not.toThrow();
    expect(google.filter((type) => !(type in GOOGLE_ROLES_BY_TYPE))).toEqual([]);
  });

  it("service account ids fit Google's 6-30 characters and stay distinct", () => {
    const ids = [
      stackAccountId("onprem-network", "prod"),
      stackAccountId("cloud-network-staging", "prod-europe-west-1"),
      stackAccountId("cloud-network-staging", "prod-europe-west-2"),
      stackAccountId("workloads-staging", "prod-europe-west-1"),
    ];
    expect(ids[0]).toBe("tf-onprem-network-prod");
    for (const id of ids) expect(id).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("no key file or private key anywhere in the stack", () => {
    const strings = allStrings(bootstrap());
    expect(strings.filter((text) => /PRIVATE KEY|google_service_account_key/.test(text))).toEqual(
      [],
    );
    expect(Object.keys(bootstrap().resource ?? {})).not.toContain("google_service_account_key");
  });
});
