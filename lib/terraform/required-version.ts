import type { TerraformStack } from "cdktf";

/**
 * The oldest Terraform the synthesized JSON works with: `check` blocks and `plantimestamp()`
 * are from 1.5 (https://developer.hashicorp.com/terraform/language/checks), postconditions
 * from 1.2. OpenTofu has had all of them since 1.6.
 */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.5.0";

/** Make Terraform refuse, with its own clear message, to run the stack with an older version. */
export function requireTerraformVersion(
  stack: TerraformStack,
  version: string = REQUIRED_TERRAFORM_VERSION,
): void {
  stack.addOverride("terraform.required_version", version);
}
