import { Construct } from "constructs";
import { DataResource, TerraformOutput } from "cdktf";

/** Terraform output every stack publishes with its environment's name, for its readers. */
export const ENVIRONMENT_OUTPUT = "environment";

/** Address of the identity marker in every stack's state. */
export const STATE_IDENTITY_ADDRESS = "terraform_data.state_identity";

export interface StateIdentityProps {
  /** The environment this synthesis is for. */
  readonly environment: string;
  /** The stack whose state this is. */
  readonly stackName: string;
}

/**
 * Makes a stack refuse, at plan time, to run against state another environment (or another
 * stack) wrote: two environment files that resolve to one state location would otherwise plan
 * one against the other's resources.
 *
 * A `terraform_data` records the environment and stack that first applied the state. Its
 * `input` is in `ignore_changes`, so every later plan keeps the recorded value (Terraform
 * plans ignored attributes with their prior value:
 * https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#ignore_changes)
 * and `output` follows `input` (https://developer.hashicorp.com/terraform/language/resources/terraform-data).
 * A postcondition compares the recorded pair with this synthesis's; it is evaluated during
 * plan since both are known. A state that has no marker yet (first apply, or written before
 * this check) gets this environment's.
 *
 * Also publishes the `environment` output, which readers of this stack's state check.
 */
export class StateIdentity extends Construct {
  public readonly marker: DataResource;

  constructor(scope: Construct, id: string, props: StateIdentityProps) {
    super(scope, id);
    const { environment, stackName } = props;
    const address = STATE_IDENTITY_ADDRESS;
    this.marker = new DataResource(this, "marker", {
      input: { environment, stack: stackName },
      lifecycle: {
        ignoreChanges: ["input"],
        postcondition: [
          {
            condition: `\${self.output.environment == "${environment}" && self.output.stack == "${stackName}"}`,
            errorMessage: `This state belongs to environment \${self.output.environment} (stack \${self.output.stack}), but this synthesis is environment ${environment} (stack ${stackName}): two environment files resolve to the same state location. Check HYBRID_CONFIG and the backend settings (give each environment its own name: environment:). If you renamed this environment on purpose, adopt the state with terraform -chdir=cdktf.out/stacks/${stackName} apply -replace=${address}.`,
          },
        ],
      },
    });
    this.marker.overrideLogicalId("state_identity");
    new TerraformOutput(this, "output", {
      value: environment,
      description: "The environment this state belongs to; readers of this state check it",
    }).overrideLogicalId(ENVIRONMENT_OUTPUT);
  }
}
