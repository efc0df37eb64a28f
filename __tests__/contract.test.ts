import { applicationSidesOf, hasManySides } from "../lib/config/sides/application-sides";
import { cloudNetworkContract, cloudNetworkContractOf } from "../lib/contract/cloud-network";
import { outputName, type Contract, type OutputSpecs } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { registryContract } from "../lib/contract/registry";
import { configOf, ENVIRONMENTS, stacksOf, type EnvironmentName } from "./helpers/environments";
import { allStrings, type StackJson } from "./helpers/json";

const CONTRACTS: Array<Contract<OutputSpecs>> = [
  onpremNetworkContract,
  cloudNetworkContract,
  registryContract,
];
const hybridEnvironments = (Object.keys(ENVIRONMENTS) as EnvironmentName[]).filter(
  (name) => configOf(name).mode === "hybrid",
);

/** The contracts an environment's stacks publish: on-prem, each side's network, the registry's. */
function contractsOf(environment: EnvironmentName): Array<Contract<OutputSpecs>> {
  const config = configOf(environment);
  if (config.mode !== "hybrid") return [];
  return [
    onpremNetworkContract,
    ...applicationSidesOf(config).map((side) => cloudNetworkContractOf(side.networkStack)),
    ...(hasManySides(config) ? [registryContract] : []),
  ];
}

/** Output names a consumer reads, per remote-state data source. */
function remoteReads(stack: StackJson): Array<{ source: string; output: string }> {
  const pattern = /data\.terraform_remote_state\.([\w-]+)\.outputs\.(\w+)/g;
  return allStrings(stack).flatMap((text) =>
    [...text.matchAll(pattern)].map(([, source, output]) => ({ source, output })),
  );
}

/**
 * Which producer stack a remote-state data source reads, from its configured location: the
 * longest name in it (cloud-network is part of cloud-network-prod).
 */
function producerOf(
  contracts: Array<Contract<OutputSpecs>>,
  stack: StackJson,
  source: string,
): string {
  const state = stack.data?.terraform_remote_state?.[source] as { config: Record<string, unknown> };
  const location = JSON.stringify(state.config);
  const [match] = contracts
    .filter((contract) => location.includes(contract.producer))
    .sort((a, b) => b.producer.length - a.producer.length);
  if (!match) throw new Error(`remote state ${source} reads an unknown stack: ${location}`);
  return match.producer;
}

describe.each(hybridEnvironments)("contracts (%s environment)", (environment) => {
  const stacks = stacksOf(environment);
  const contracts = contractsOf(environment);

  it.each(contracts.map((contract) => [contract.producer, contract] as const))(
    "%s publishes every contract output with its declared sensitivity",
    (producer, contract) => {
      const outputs = stacks[producer].output ?? {};
      for (const [key, spec] of Object.entries(contract.outputs)) {
        const output = outputs[outputName(key)];
        expect(output).toBeDefined();
        expect(Boolean(output.sensitive)).toBe(spec.sensitive);
      }
    },
  );

  it("every consumer read has a producer output, and secrets are read from sensitive outputs", () => {
    for (const [consumer, stack] of Object.entries(stacks)) {
      const reads = remoteReads(stack);
      if (consumer !== "onprem-network") expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) {
        const producer = producerOf(contracts, stack, read.source);
        const contract = contracts.find((c) => c.producer === producer);
        const key = Object.keys(contract?.outputs ?? {}).find((k) => outputName(k) === read.output);
        expect({ consumer, producer, output: read.output, declared: key !== undefined }).toEqual({
          consumer,
          producer,
          output: read.output,
          declared: true,
        });
        expect(stacks[producer].output?.[read.output]).toBeDefined();
      }
    }
  });

  it("consumers depend on remote state only, never on cdktf cross-stack references", () => {
    for (const stack of Object.values(stacks)) {
      expect(JSON.stringify(stack)).not.toMatch(/cross-stack-output/);
    }
  });
});

describe("contract declarations", () => {
  it("marks every private key and generated credential sensitive", () => {
    for (const contract of CONTRACTS) {
      for (const [key, spec] of Object.entries(contract.outputs)) {
        if (/PrivateKey|Password|DockerConfigJson|Psk/i.test(key))
          expect(spec.sensitive).toBe(true);
      }
    }
  });

  it("maps keys to snake_case output names", () => {
    expect(outputName("serverPrivateKeyPem")).toBe("server_private_key_pem");
  });
});

describe("a consumer read names its producer when the producer state is not usable", () => {
  const cloud = stacksOf("default")["cloud-network"];
  const [[, read]] = Object.entries(cloud.data?.terraform_remote_state ?? {});
  const postconditions = (read.lifecycle as { postcondition: Array<Record<string, string>> })
    .postcondition;

  it("checks the producer's environment, then every contract output is there, and of its type", () => {
    expect(postconditions).toHaveLength(3);
    expect(postconditions[0].condition).toContain('self.outputs["environment"]');
    expect(postconditions[1].condition).toContain('"registry_ip"');
    expect(postconditions[1].error_message).toContain("Apply the onprem-network stack first");
    expect(postconditions[2].condition).toContain('can(tonumber(jsonencode(self.outputs["asn"])))');
  });

  /** The stack's terraform_data but its own identity marker. */
  const guardsOf = (stack: StackJson) =>
    Object.entries(stack.resource?.terraform_data ?? {})
      .filter(([id]) => id !== "state_identity")
      .map(([, body]) => body);

  it("guards the local state file, naming it", () => {
    const guards = guardsOf(cloud);
    expect(guards).toHaveLength(1);
    expect(JSON.stringify(guards[0])).toContain(
      "No state of onprem-network at state/example/onprem-network.tfstate",
    );
  });

  it("has no file guard where the state is not a local file", () => {
    expect(guardsOf(stacksOf("backendGcs")["cloud-network"])).toEqual([]);
  });
});
