import type { IConstruct } from "constructs";
import {
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  type TerraformStack,
} from "cdktf";

/** Terraform's built-in provider (terraform_data, terraform_remote_state): never declared. */
const BUILT_IN_PROVIDER = "terraform";

function providerNameOf(node: IConstruct): string | undefined {
  if (
    TerraformResource.isTerraformResource(node) ||
    TerraformDataSource.isTerraformDataSource(node)
  ) {
    return node.terraformGeneratorMetadata?.providerName;
  }
  return undefined;
}

/**
 * The providers `stack` uses without declaring them: a resource or data source whose provider
 * has no provider construct in the stack would make Terraform fall back to an unconfigured
 * provider. cdktf checks the same during its validations (cdktf lib/validations/
 * validate-provider-presence.js), which synthesis skips (publish-synthesis.ts says why).
 */
export function undeclaredProviders(stack: TerraformStack): string[] {
  const used = new Set<string>();
  const declared = new Set<string>();
  for (const node of stack.node.findAll()) {
    const name = providerNameOf(node);
    if (name !== undefined && name !== BUILT_IN_PROVIDER) used.add(name);
    if (TerraformProvider.isTerraformProvider(node)) {
      const provider = node.terraformGeneratorMetadata?.providerName;
      if (provider !== undefined) declared.add(provider);
    }
  }
  return [...used].filter((name) => !declared.has(name)).sort();
}
