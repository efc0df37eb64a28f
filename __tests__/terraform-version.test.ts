import { REQUIRED_TERRAFORM_VERSION } from "../lib/terraform/required-version";
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";

describe("every stack states the Terraform it needs", () => {
  it.each(SYNTH_NAMES)("%s", (name) => {
    for (const stack of Object.values(stacksOf(name))) {
      expect(stack.terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
    }
  });

  it("is the version the README promises (Terraform 1.5+)", () => {
    expect(REQUIRED_TERRAFORM_VERSION).toBe(">= 1.5.0");
  });
});
