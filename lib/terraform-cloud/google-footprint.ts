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
  private readonly indexes = new Map<TerraformStack, StackIndex>();

  constructor(stacks: readonly TerraformStack[]) {
    this.stacksByName = new Map(stacks.map((stack) => [stack.node.id, stack]));
  }

  footprint(stack: TerraformStack): GoogleFootprint {
    const index = this.indexOf(stack);
    const typesByProject = new Map<string, Set<string>>();
    const kubernetesProjects = new Set<string>();
    for (const element of index.elements) {
      const type = element.terraformResourceType;
      if (type.startsWith("google_")) {
        const own = configured(stack, element, "project");
        const project =
          own === undefined
            ? this.providerProject(stack, element.provider ?? index.defaultProviders.get("google"))
            : this.projectOf(stack, own);
        if (project === undefined) continue;
        const types = typesByProject.get(project) ?? new Set<string>();
        types.add(element instanceof TerraformDataSource ? `data.${type}` : type);
        typesByProject.set(project, types);
      } else if (type.startsWith("kubernetes_")) {
        const provider = element.provider ?? index.defaultProviders.get("kubernetes");
        const project = provider && this.projectOf(stack, configured(stack, provider, "host"));
        if (project !== undefined) kubernetesProjects.add(project);
      }
    }
    const projects = [...new Set([...typesByProject.keys(), ...kubernetesProjects])].sort();
    const rolesByProject = new Map(
      projects.map((project) => {
        const roles = googleRolesFor(typesByProject.get(project) ?? []);
        return [
          project,
          kubernetesProjects.has(project) ? [...roles, KUBERNETES_ROLE].sort() : roles,
        ] as const;
      }),
    );
    return { stack: stack.node.id, homeProject: this.homeProject(stack), rolesByProject };
  }

  homeProject(stack: TerraformStack): string | undefined {
    const name = stack.node.id;
    if (!this.homes.has(name)) {
      this.homes.set(name, undefined); // a cycle resolves to no project
      const provider = this.indexOf(stack).defaultProviders.get("google");
      this.homes.set(name, this.providerProject(stack, provider));
    }
    return this.homes.get(name);
  }

  /** The stack's tree walked once: its resources and data sources, providers and readers. */
  private indexOf(stack: TerraformStack): StackIndex {
    const known = this.indexes.get(stack);
    if (known) return known;
    const constructs = stack.node.findAll();
    const index: StackIndex = {
      elements: constructs.filter(
        (c): c is TerraformResource | TerraformDataSource =>
          c instanceof TerraformResource || c instanceof TerraformDataSource,
      ),
      defaultProviders: new Map(
        constructs
          .filter((c): c is TerraformProvider => c instanceof TerraformProvider && !c.alias)
          .map((provider) => [provider.terraformResourceType, provider]),
      ),
      producersByRemoteState: new Map(
        constructs
          .filter((c) => c instanceof ContractReader)
          .map((reader) => [reader.remoteState.friendlyUniqueId, reader.producer]),
      ),
    };
    this.indexes.set(stack, index);
    return index;
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
    const producerName =
      readerId === undefined ? undefined : this.indexOf(stack).producersByRemoteState.get(readerId);
    const producer = producerName === undefined ? undefined : this.stacksByName.get(producerName);
    return producer && this.homeProject(producer);
  }
}

/** What FootprintReader needs of one stack's construct tree. */
interface StackIndex {
  readonly elements: ReadonlyArray<TerraformResource | TerraformDataSource>;
  /** The provider without alias, by provider type (`google`, `kubernetes`). */
  readonly defaultProviders: ReadonlyMap<string, TerraformProvider>;
  /** Remote-state data source id -> the producer stack its contract reader reads. */
  readonly producersByRemoteState: ReadonlyMap<string, string>;
}

/** The Google footprint of each of `stacks` (which must include every producer they read). */
export function googleFootprintsOf(stacks: readonly TerraformStack[]): GoogleFootprint[] {
  const reader = new FootprintReader(stacks);
  return stacks.map((stack) => reader.footprint(stack));
}
