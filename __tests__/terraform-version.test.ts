import { TERRAFORM_CLOUD_STACK } from "../lib/contract/stack-names";
import { REQUIRED_TERRAFORM_VERSION } from "../lib/terraform/required-version";
import { TERRAFORM_CLOUD_STACK_VERSION } from "../stacks/terraform-cloud";
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";

describe("every stack states the Terraform it needs", () => {
  it.each(SYNTH_NAMES)("%s", (name) => {
    for (const [stackName, stack] of Object.entries(stacksOf(name))) {
      // The bootstrap writes write-only arguments from ephemeral variables: Terraform 1.11.
      expect(stack.terraform.required_version).toBe(
        stackName === TERRAFORM_CLOUD_STACK
          ? TERRAFORM_CLOUD_STACK_VERSION
          : REQUIRED_TERRAFORM_VERSION,
      );
    }
  });

  it("is the version the README promises (Terraform 1.5+)", () => {
    expect(REQUIRED_TERRAFORM_VERSION).toBe(">= 1.5.0");
  });
});
