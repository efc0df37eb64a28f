import { Construct } from "constructs";
import { TerraformVariable } from "cdktf";
import { Project } from "@cdktf/provider-tfe/lib/project";
import { RunTrigger } from "@cdktf/provider-tfe/lib/run-trigger";
import { Variable } from "@cdktf/provider-tfe/lib/variable";
import {
  Workspace,
  type WorkspaceConfig,
  type WorkspaceVcsRepo,
} from "@cdktf/provider-tfe/lib/workspace";
import { WorkspaceSettings } from "@cdktf/provider-tfe/lib/workspace-settings";
import { consumersOf, runTriggerEdges, type StackNode } from "./stack-graph";

export interface StackWorkspacesProps {
  readonly organization: string;
  /** Terraform Cloud project holding every workspace. */
  readonly projectName: string;
  /** Workspaces are `<workspacePrefix>-<stack>`, the names the stacks' cloud backends use. */
  readonly workspacePrefix: string;
  /** The stacks to run, with who reads whom (lib/terraform-cloud/stack-graph.ts). */
  readonly graph: readonly StackNode[];
  /** The workspace holding this (bootstrap) stack's own state, run locally. */
  readonly bootstrapStack: string;
  /** Terraform version or constraint the workspaces run, the stacks' required_version. */
  readonly terraformVersion: string;
  /**
   * Apply without confirmation, also plans queued by run triggers.
   * @default false
   */
  readonly autoApply?: boolean;
  /**
   * VCS-driven workspaces: each runs its stack's folder of this repository.
   * @default none: CLI-driven workspaces
   */
  readonly vcsRepo?: WorkspaceVcsRepo;
  /** Environment name, for the workspaces' descriptions. */
  readonly environment: string;
}

/** Where a VCS-driven workspace finds its stack's synthesized JSON in the repository. */
export function stackWorkingDirectory(stack: string): string {
  return `cdktf.out/stacks/${stack}`;
}

/**
 * The Terraform Cloud project and one workspace per stack, named as the stacks' cloud backends
 * name them; each producer's state shared with exactly the stacks reading its contract; run
 * triggers along the deploy order; each sensitive input of a stack as a sensitive variable of
 * its workspace, written write-only so the value is in no state (Terraform >= 1.11).
 * Construct ids are made of stack names, so adding a side adds objects and changes only the
 * sharing and triggers that involve it.
 */
export class StackWorkspaces extends Construct {
  public readonly project: Project;
  /** By stack name. */
  public readonly workspaces: ReadonlyMap<string, Workspace>;
  /** The bootstrap stack's own state workspace (execution mode local). */
  public readonly bootstrapWorkspace: Workspace;

  constructor(scope: Construct, id: string, props: StackWorkspacesProps) {
    super(scope, id);
    this.project = new Project(this, "project", {
      name: props.projectName,
      organization: props.organization,
    });
    const autoApply = props.autoApply ?? false;
    const workspace = (stack: string, config: Omit<WorkspaceConfig, "name">) =>
      new Workspace(this, `workspace-${stack}`, {
        name: `${props.workspacePrefix}-${stack}`,
        organization: props.organization,
        projectId: this.project.id,
        // No run at creation: credentials and variables do not exist yet.
        queueAllRuns: false,
        ...config,
      });
    const workspaces = new Map(
      props.graph.map(
        (node) =>
          [
            node.name,
            workspace(node.name, {
              description: `Stack ${node.name} of hybrid-registry environment ${props.environment}; managed by the ${props.bootstrapStack} stack`,
              terraformVersion: props.terraformVersion,
              // VCS-driven only: a CLI-driven run in a workspace with a working directory
              // uploads that many folders up from where it runs, here the whole project with
              // node_modules and local state (hashicorp/terraform v1.11.4
              // internal/cloud/backend_plan.go:150-180); without one, only the stack's folder.
              ...(props.vcsRepo
                ? { vcsRepo: props.vcsRepo, workingDirectory: stackWorkingDirectory(node.name) }
                : {}),
              autoApply,
              autoApplyRunTrigger: autoApply,
            }),
          ] as const,
      ),
    );
    this.workspaces = workspaces;
    this.bootstrapWorkspace = workspace(props.bootstrapStack, {
      description: `State of the ${props.bootstrapStack} stack of hybrid-registry environment ${props.environment} (runs locally: it creates the other workspaces)`,
    });
    const idOf = (stack: string): string => {
      const found = workspaces.get(stack);
      if (!found) throw new Error(`${stack}: no workspace (not among the stacks given)`);
      return found.id;
    };
    for (const node of props.graph) {
      new WorkspaceSettings(this, `settings-${node.name}`, {
        workspaceId: idOf(node.name),
        executionMode: "remote",
        // A consumer of remote state can read every output of its producer, keys included.
        globalRemoteState: false,
        remoteStateConsumerIds: consumersOf(props.graph, node.name).map(idOf),
      });
    }
    new WorkspaceSettings(this, `settings-${props.bootstrapStack}`, {
      workspaceId: this.bootstrapWorkspace.id,
      executionMode: "local",
      globalRemoteState: false,
      remoteStateConsumerIds: [],
    });
    for (const edge of runTriggerEdges(props.graph)) {
      new RunTrigger(this, `trigger-${edge.source}-to-${edge.target}`, {
        workspaceId: idOf(edge.target),
        sourceableId: idOf(edge.source),
      });
    }
    this.addSensitiveInputs(props.graph, idOf);
  }

  /**
   * One ephemeral variable of this stack per input name (the same name means the same secret
   * in every stack), written write-only into each workspace that declares it.
   */
  private addSensitiveInputs(graph: readonly StackNode[], idOf: (stack: string) => string): void {
    const inputs = new Map<string, TerraformVariable>();
    for (const node of graph) {
      for (const input of node.sensitiveInputs) {
        let variable = inputs.get(input.name);
        if (!variable) {
          variable = new TerraformVariable(this, input.name, {
            type: "string",
            sensitive: true,
            nullable: false,
            description: `${input.description}; written to the workspaces that need it, never to a state`,
          });
          variable.overrideLogicalId(input.name);
          // Not kept in plan files either (Terraform >= 1.10); only write-only arguments take it.
          variable.addOverride("ephemeral", true);
          inputs.set(input.name, variable);
        }
        new Variable(this, `input-${node.name}-${input.name}`, {
          workspaceId: idOf(node.name),
          category: "terraform",
          key: input.name,
          valueWo: variable.stringValue,
          sensitive: true,
          description: input.description,
        });
      }
    }
  }
}
