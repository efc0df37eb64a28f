/**
 * Where state lives (local, gcs, Terraform Cloud) and the environment's name; the opt-in
 * Terraform Cloud workspace setup. Defaults are decided in ./environment.ts and
 * ./workspace-setup.ts; rules across fields in ./rules.ts.
 */
import { z } from "zod";
import { gcsBucketNameProblem } from "../core/fields";
import { ENVIRONMENT_NAME } from "./environment";
import { hasTemplateSequence } from "../core/terraform-literal";

/**
 * Terraform reads backend blocks without evaluating them, but the consumers' remote-state
 * configs with: `${` or `%{` in a backend setting would mean one thing on each side.
 */
const backendTemplateMessage = {
  message: "must not contain ${ or %{ (Terraform would evaluate it where consumers read the state)",
};
const backendText = z.string().refine((text) => !hasTemplateSequence(text), backendTemplateMessage);

/**
 * Terraform Cloud objects the terraform-cloud stack creates (issue 23). Name limits are the
 * API's: workload identity pool ids 4-32 characters of a-z, 0-9 and '-', not starting with
 * "gcp-" (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create).
 */
export const workspaceSetup = z
  .strictObject({
    project: backendText
      .regex(/^[A-Za-z0-9][A-Za-z0-9 _-]{2,39}$/, {
        message: "must be 3-40 letters, digits, spaces, '-' or '_' (Terraform Cloud project names)",
      })
      .optional()
      .meta({
        description:
          "Terraform Cloud project that holds the workspaces. @default the workspace prefix",
      }),
    autoApply: z.boolean().default(false).meta({
      description:
        "Apply a workspace's plan without confirmation (runs queued by run triggers too). @default false: a person confirms every apply",
    }),
    vcs: z
      .strictObject({
        repository: backendText
          .regex(/^[^/\s]+\/[^/\s]+$/, {
            message: "must be <owner>/<repository>, e.g. acme/platform-registry",
          })
          .meta({ description: "Repository holding the committed cdktf.out/stacks (owner/name)" }),
        branch: backendText.min(1).optional().meta({
          description: "Branch the workspaces follow. @default the repository's default branch",
        }),
        connection: backendText
          .regex(/^(ot|ghain)-[A-Za-z0-9]+$/, {
            message:
              "must be an OAuth token id (ot-...) or a GitHub App installation id (ghain-...)",
          })
          .meta({
            description:
              "How Terraform Cloud reaches the repository: the VCS provider's OAuth token id (ot-..., Settings → Version Control → Providers) or the GitHub App installation id (ghain-...)",
          }),
      })
      .optional()
      .meta({
        description:
          "VCS-driven workspaces: each runs cdktf.out/stacks/<stack> of this repository. @default none: CLI-driven workspaces (npm run cdktf -- deploy)",
      }),
    googleCredentials: z.enum(["workload-identity", "none"]).default("workload-identity").meta({
      description:
        "workload-identity: a Workload Identity pool and provider in each Google project and one service account per stack, used through dynamic provider credentials (no key files); none: you give the workspaces credentials yourself. @default workload-identity",
    }),
    identityPoolId: z
      .string()
      .regex(/^(?!gcp-)[a-z0-9-]{4,32}$/, {
        message: "must be 4-32 characters of a-z, 0-9 and '-', not starting with gcp-",
      })
      .optional()
      .meta({
        description:
          "Id of the Workload Identity pool created in each project. A deleted pool keeps its id for 30 days: after destroying, undelete it or choose another id. @default tfc-<environment>",
      }),
    state: z.enum(["local", "workspace"]).default("local").meta({
      description:
        "Where the terraform-cloud stack keeps its own state: local, the file state/<environment>/terraform-cloud.tfstate; workspace, the workspace <workspacePrefix>-terraform-cloud (execution mode local) that the stack creates on its first, local, run: switch to it and run terraform init -migrate-state (docs/terraform-cloud.md). @default local",
    }),
  })
  .meta({
    description:
      "Opt-in: the terraform-cloud stack creates the project, one workspace per stack, remote-state sharing with exactly each producer's consumers, run triggers and keyless Google credentials (docs/terraform-cloud.md). Run it once from a workstation; the other stacks then run in their workspaces",
  });

export const backend = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("local"),
        directory: backendText
          .regex(/^[^/]/, { message: "must be relative to the project root" })
          .optional()
          .meta({
            description:
              "State directory relative to the project root. @default state/<environment> (state without an environment name)",
          }),
      })
      .meta({ description: "State files in a directory of this checkout" }),
    z
      .strictObject({
        type: z.literal("gcs"),
        bucket: z
          .string({ error: "is required for the gcs backend" })
          .superRefine((bucket, context) => {
            const problem = gcsBucketNameProblem(bucket);
            if (problem) context.addIssue({ code: "custom", message: problem });
          })
          .meta({
            description: "Existing bucket that holds the state (create it first, with versioning)",
          }),
        prefix: backendText.min(1).optional().meta({
          description:
            "Object prefix; each stack's state is under <prefix>/<stack>. @default hybrid-registry/<environment> (hybrid-registry without an environment name)",
        }),
        kmsEncryptionKey: z
          .string()
          .regex(
            /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[\w-]{1,63}\/cryptoKeys\/[\w-]{1,63}$/,
            {
              message:
                "must be a Cloud KMS key name: projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>",
            },
          )
          .optional()
          .meta({
            description:
              "Customer-managed Cloud KMS key the gcs backend encrypts state with (the state bucket's service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it). @default Google-managed encryption",
          }),
      })
      .meta({ description: "State objects in a Cloud Storage bucket" }),
    z
      .strictObject({
        type: z.literal("cloud"),
        hostname: backendText.min(1).default("app.terraform.io").meta({
          description: "Terraform Cloud, or a Terraform Enterprise host. @default app.terraform.io",
        }),
        organization: z
          .string({ error: "is required for the cloud backend" })
          .min(1)
          .refine((text) => !hasTemplateSequence(text), backendTemplateMessage)
          .meta({ description: "Organization that owns the workspaces" }),
        workspacePrefix: backendText
          .min(1)
          .regex(/^[A-Za-z0-9_-]+$/, {
            message: "may hold only letters, digits, '-' and '_' (Terraform Cloud workspace names)",
          })
          .optional()
          .meta({
            description:
              "Workspaces are <workspacePrefix>-<stack>. @default hybrid-registry-<environment> (hybrid-registry without an environment name)",
          }),
        workspaceSetup: workspaceSetup.optional(),
      })
      .meta({ description: "Terraform Cloud or Enterprise workspaces, one per stack" }),
  ])
  .default({ type: "local" })
  .meta({ description: "Where Terraform keeps each stack's state" });

export const environment = z
  .string()
  .regex(ENVIRONMENT_NAME, {
    message:
      "must be a short name such as dev or prod-eu: a lowercase letter, then a-z, 0-9 and '-', at most 24 characters",
  })
  .optional()
  .meta({
    description:
      "Name of this environment (dev, prod, ...). Part of every default state location (state/<name>/, gcs <prefix>/<name>/, workspaces hybrid-registry-<name>-<stack>), and every stack refuses, at plan time, state written by another environment. @default the file name, with state where it was before environment names (state/, hybrid-registry/, hybrid-registry-<stack>)",
  });
