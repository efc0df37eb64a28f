import type { IConstruct } from "constructs";
import {
  DefaultTokenResolver,
  StringConcat,
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  Tokenization,
  type TerraformStack,
} from "cdktf";
import { ContractReader } from "../contract/contract";
import { KUBERNETES_ROLE, googleRolesFor } from "./google-roles";

/** What one stack does in Google Cloud: the roles it needs, by project. */
export interface GoogleFootprint {
  readonly stack: string;
  /** The project of the stack's default google provider: where its service account lives. */
  readonly homeProject?: string;
  /** Project id -> the predefined roles the stack's resources there need, sorted. */
  readonly rolesByProject: ReadonlyMap<string, readonly string[]>;
}

type Element = TerraformResource | TerraformDataSource | TerraformProvider;

function field(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Readonly<Record<string, unknown>>)[step];
  }
  return current;
}

/** A configured argument of `element` as Terraform will see it (tokens rendered as ${...}). */
function configured(stack: TerraformStack, element: Element, name: string): unknown {
  const block: unknown = element.toTerraform();
  const attributes =
    element instanceof TerraformProvider
      ? field(block, ["provider", element.terraformResourceType, "0"])
      : field(block, [
          element instanceof TerraformResource ? "resource" : "data",
          element.terraformResourceType,
          element.friendlyUniqueId,
        ]);
  const resolver = new DefaultTokenResolver(new StringConcat());
  return Tokenization.resolve(field(attributes, [name]), { scope: stack, resolver });
}

const REMOTE_STATE_REFERENCE = /data\.terraform_remote_state\.([A-Za-z0-9_-]+)\./;

/**
 * Reads the stacks' constructs: each stack's google and kubernetes providers and the google
 * resources it manages. A project given as a literal is that project; one read from a
 * producer's contract (`${data.terraform_remote_state.<reader>.outputs...}`) is the producer's
 * home project; a kubernetes provider's cluster is in the home project of the producer whose
 * contract gives its host.
 */
class FootprintReader {
  private readonly stacksByName: ReadonlyMap<string, TerraformStack>;
  private readonly homes = new Map<string, string | undefined>();

  constructor(stacks: readonly TerraformStack[]) {
    this.stacksByName = new Map(stacks.map((stack) => [stack.node.id, stack]));
  }

  footprint(stack: TerraformStack): GoogleFootprint {
    const typesByProject = new Map<string, Set<string>>();
    const add = (project: string | undefined, type: string) => {
      if (project === undefined) return;
      const types = typesByProject.get(project) ?? new Set<string>();
      types.add(type);
      typesByProject.set(project, types);
    };
    for (const element of stack.node.findAll()) {
      if (!(element instanceof TerraformResource || element instanceof TerraformDataSource)) {
        continue;
      }
      const type = element.terraformResourceType;
      const key = element instanceof TerraformDataSource ? `data.${type}` : type;
      if (type.startsWith("google_")) {
        const own = configured(stack, element, "project");
        const provider = element.provider ?? this.defaultProvider(stack, "google");
        add(
          own === undefined ? this.providerProject(stack, provider) : this.projectOf(stack, own),
          key,
        );
      } else if (type.startsWith("kubernetes_")) {
        const provider = element.provider ?? this.defaultProvider(stack, "kubernetes");
        add(
          provider && this.projectOf(stack, configured(stack, provider, "host")),
          KUBERNETES_ROLE,
        );
      }
    }
    const rolesByProject = new Map(
      [...typesByProject.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([project, types]) => {
          const kubernetes = types.delete(KUBERNETES_ROLE);
          const roles = googleRolesFor(types);
          return [project, kubernetes ? [...roles, KUBERNETES_ROLE].sort() : roles] as const;
        }),
    );
    return { stack: stack.node.id, homeProject: this.homeProject(stack), rolesByProject };
  }

  homeProject(stack: TerraformStack): string | undefined {
    const name = stack.node.id;
    if (!this.homes.has(name)) {
      this.homes.set(name, undefined); // a cycle resolves to no project
      this.homes.set(name, this.providerProject(stack, this.defaultProvider(stack, "google")));
    }
    return this.homes.get(name);
  }

  private defaultProvider(stack: TerraformStack, type: string): TerraformProvider | undefined {
    return stack.node
      .findAll()
      .find(
        (c: IConstruct): c is TerraformProvider =>
          c instanceof TerraformProvider && c.terraformResourceType === type && !c.alias,
      );
  }

  private providerProject(
    stack: TerraformStack,
    provider: TerraformProvider | undefined,
  ): string | undefined {
    return provider && this.projectOf(stack, configured(stack, provider, "project"));
  }

  private projectOf(stack: TerraformStack, value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    if (!value.includes("${")) return value;
    const readerId = REMOTE_STATE_REFERENCE.exec(value)?.[1];
    const reader = stack.node
      .findAll()
      .find(
        (c): c is ContractReader<never> =>
          c instanceof ContractReader && c.remoteState.friendlyUniqueId === readerId,
      );
    const producer = reader && this.stacksByName.get(reader.producer);
    return producer && this.homeProject(producer);
  }
}

/** The Google footprint of each of `stacks` (which must include every producer they read). */
export function googleFootprintsOf(stacks: readonly TerraformStack[]): GoogleFootprint[] {
  const reader = new FootprintReader(stacks);
  return stacks.map((stack) => reader.footprint(stack));
}
