import type { StateBackendSettings } from "../../backend/state-backend";
import type { z } from "zod";
import type { backend as backendSchema } from "./schema";
import { UNNAMED_STATE_LOCATIONS } from "./environment";

/** The backend section as the file gives it. */
type BackendInput = z.output<typeof backendSchema>;
type CloudBackendInput = Extract<BackendInput, { type: "cloud" }>;
type WorkspaceSetupInput = NonNullable<CloudBackendInput["workspaceSetup"]>;

/** `backend.workspaceSetup` with every default decided: what the terraform-cloud stack builds. */
export interface WorkspaceSetup {
  readonly hostname: string;
  readonly organization: string;
  readonly workspacePrefix: string;
  /** Terraform Cloud project holding the workspaces. */
  readonly project: string;
  readonly autoApply: boolean;
  readonly vcs?: WorkspaceSetupInput["vcs"];
  readonly googleCredentials: WorkspaceSetupInput["googleCredentials"];
  /** Id of the Workload Identity pool in each Google project. */
  readonly identityPoolId: string;
  /** Where the terraform-cloud stack keeps its own state (it cannot live in what it creates). */
  readonly stateBackend: StateBackendSettings;
}

/**
 * The opt-in workspace setup of a cloud backend whose workspaces are `workspacePrefix`-<stack>,
 * or undefined without it. `named` is the environment's own name when the file sets one.
 */
export function resolveWorkspaceSetup(
  backend: BackendInput,
  workspacePrefix: string,
  environment: string,
  named: string | undefined,
): WorkspaceSetup | undefined {
  if (backend.type !== "cloud" || !backend.workspaceSetup) return undefined;
  const setup = backend.workspaceSetup;
  const stateBackend: StateBackendSettings =
    setup.state === "workspace"
      ? {
          type: "cloud",
          hostname: backend.hostname,
          organization: backend.organization,
          workspacePrefix,
        }
      : {
          type: "local",
          directory:
            named === undefined
              ? UNNAMED_STATE_LOCATIONS.directory
              : `${UNNAMED_STATE_LOCATIONS.directory}/${named}`,
        };
  return {
    hostname: backend.hostname,
    organization: backend.organization,
    workspacePrefix,
    project: setup.project ?? workspacePrefix,
    autoApply: setup.autoApply,
    vcs: setup.vcs,
    googleCredentials: setup.googleCredentials,
    identityPoolId: setup.identityPoolId ?? `tfc-${environment}`,
    stateBackend,
  };
}
