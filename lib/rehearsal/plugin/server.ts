/**
 * Serves a {@link StandInProvider} the way Terraform launches providers: a go-plugin gRPC
 * server speaking tfplugin6 (the .proto files next to this one), announced by the handshake
 * line on stdout, over mutual TLS when Terraform asks for it (it always does: AutoMTLS).
 *
 * go-plugin (hashicorp/go-plugin at dd3617a) server.go Serve: refuse to run without the magic
 * cookie; pick the app protocol from PLUGIN_PROTOCOL_VERSIONS; with PLUGIN_CLIENT_CERT, serve
 * TLS that requires exactly that client certificate and print our own certificate in the line
 * `CORE-PROTOCOL-VERSION|APP-PROTOCOL-VERSION|NETWORK|ADDR|PROTOCOL|SERVER-CERT`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { ResourceSchema, SchemaBlock } from "../provider-schema";
import { serverCertificate } from "./cert";
import {
  fromJson,
  fromMsgpack,
  impliedType,
  isObjectValue,
  toMsgpack,
  type ObjectValue,
  type Value,
  type WireType,
} from "./cty";
import {
  dataSourceSchema,
  defaultApply,
  defaultImport,
  defaultPlan,
  withoutWriteOnly,
  defaultReadData,
  ProviderError,
  resourceSchema,
  type AttributePath,
  type Diagnostic,
  type StandInProvider,
} from "./provider";

/**
 * Terraform's handshake with providers (hashicorp/terraform internal/plugin6/serve.go
 * Handshake; the same value in terraform-plugin-go tfprotov6/tf6server/server.go).
 */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE =
  "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const PROTOCOL_VERSION = 6;

// ---- the protobuf messages used, as proto-loader decodes them (keepCase, enums as names) ----

interface DynamicValueMessage {
  readonly msgpack?: Uint8Array;
  readonly json?: Uint8Array;
}
type StepMessage =
  | { readonly attribute_name: string }
  | { readonly element_key_string: string }
  | { readonly element_key_int: number };
interface DiagnosticMessage {
  readonly severity: "ERROR" | "WARNING";
  readonly summary: string;
  readonly detail: string;
  readonly attribute?: { readonly steps: readonly StepMessage[] };
}
interface BlockMessage {
  readonly version: number;
  readonly attributes: readonly {
    readonly name: string;
    readonly type: Buffer;
    readonly required: boolean;
    readonly optional: boolean;
    readonly computed: boolean;
    readonly sensitive: boolean;
    readonly write_only: boolean;
  }[];
  readonly block_types: readonly {
    readonly type_name: string;
    readonly block: BlockMessage;
    readonly nesting: string;
    readonly min_items: number;
    readonly max_items: number;
  }[];
}
interface SchemaMessage {
  readonly version: number;
  readonly block: BlockMessage;
}
interface TypedRequest {
  readonly type_name: string;
}
interface ConfigRequest {
  readonly config?: DynamicValueMessage;
}

function loadService(file: string, name: string): ServiceDefinition {
  const definitions = loadSync(join(__dirname, file), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const service = definitions[name];
  // proto-loader returns services as method maps (no `format` key, unlike message types).
  if (service === undefined || "format" in service) throw new Error(`no service ${name}`);
  return service as ServiceDefinition;
}

/** A unary handler from a promise-returning function; errors end the call with INTERNAL. */
function unary<Request, Response>(
  handler: (request: Request) => Response | Promise<Response>,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => {
          process.stderr.write(`stand-in provider: ${String(error)}\n`);
          callback({ code: 13, details: String(error) });
        },
      );
  };
}

function blockMessage(block: SchemaBlock, version = 0): BlockMessage {
  return {
    version,
    attributes: block.attributes.map((attribute) => ({
      name: attribute.name,
      // Terraform reads the type as cty's JSON type encoding (plugin6 convert/schema.go).
      type: Buffer.from(JSON.stringify(attribute.type)),
      required: attribute.required,
      optional: attribute.optional,
      computed: attribute.computed,
      sensitive: attribute.sensitive,
      write_only: attribute.writeOnly === true,
    })),
    block_types: block.blockTypes.map((nested) => ({
      type_name: nested.typeName,
      block: blockMessage(nested.block),
      nesting: nested.nesting.toUpperCase(),
      min_items: nested.minItems,
      max_items: nested.maxItems,
    })),
  };
}

function schemaMessage(schema: ResourceSchema): SchemaMessage {
  return { version: schema.version, block: blockMessage(schema.block, schema.version) };
}

function decodeValue(type: WireType, message: DynamicValueMessage | undefined): Value {
  if (message?.msgpack?.length) return fromMsgpack(type, message.msgpack);
  if (message?.json?.length) {
    return fromJson(type, JSON.parse(Buffer.from(message.json).toString("utf8")));
  }
  return null;
}

function decodeObject(type: WireType, message: DynamicValueMessage | undefined): ObjectValue {
  const value = decodeValue(type, message);
  if (!isObjectValue(value)) throw new Error("expected an object value");
  return value;
}

function decodeObjectOrNull(
  type: WireType,
  message: DynamicValueMessage | undefined,
): ObjectValue | null {
  const value = decodeValue(type, message);
  return isObjectValue(value) ? value : null;
}

function encodeValue(type: WireType, value: Value): DynamicValueMessage {
  return { msgpack: toMsgpack(type, value) };
}

function pathMessage(path: AttributePath): { steps: StepMessage[] } {
  return {
    steps: path.map((step) =>
      typeof step === "string"
        ? { attribute_name: step }
        : typeof step === "number"
          ? { element_key_int: step }
          : { element_key_string: step.key },
    ),
  };
}

function diagnosticMessage(diagnostic: Diagnostic): DiagnosticMessage {
  return {
    severity: diagnostic.severity === "error" ? "ERROR" : "WARNING",
    summary: diagnostic.summary,
    detail: diagnostic.detail ?? "",
    ...(diagnostic.path ? { attribute: pathMessage(diagnostic.path) } : {}),
  };
}

/** Run a behaviour; a thrown error becomes an error diagnostic Terraform prints as is. */
async function diagnose<T>(
  run: () => T | Promise<T>,
): Promise<{ result?: T; diagnostics: DiagnosticMessage[] }> {
  try {
    return { result: await run(), diagnostics: [] };
  } catch (error: unknown) {
    const diagnostic: Diagnostic =
      error instanceof ProviderError
        ? error.diagnostic
        : {
            severity: "error",
            summary: "Stand-in provider error",
            detail: error instanceof Error ? error.message : String(error),
          };
    return { diagnostics: [diagnosticMessage(diagnostic)] };
  }
}

// The schema never changes within a run, so Terraform may reuse the one it fetched first
// instead of asking every provider instance (tfplugin6.8.proto ServerCapabilities).
const SERVER_CAPABILITIES = { plan_destroy: false, get_provider_schema_optional: true };

/** The GetProviderSchema answer: every resource and data source of the provider. */
function providerSchemaMessage(provider: StandInProvider): object {
  const { schema } = provider;
  return {
    provider: { version: 0, block: blockMessage(schema.provider) },
    resource_schemas: Object.fromEntries(
      Object.entries(schema.resources).map(([name, resource]) => [name, schemaMessage(resource)]),
    ),
    data_source_schemas: Object.fromEntries(
      Object.entries(schema.dataSources).map(([name, data]) => [name, schemaMessage(data)]),
    ),
    diagnostics: [],
    server_capabilities: SERVER_CAPABILITIES,
  };
}

/** The GetMetadata answer: the names of the provider's resources and data sources. */
function metadataMessage(provider: StandInProvider): object {
  const { schema } = provider;
  return {
    server_capabilities: SERVER_CAPABILITIES,
    diagnostics: [],
    resources: Object.keys(schema.resources).map((type_name) => ({ type_name })),
    data_sources: Object.keys(schema.dataSources).map((type_name) => ({ type_name })),
  };
}

/**
 * The wire types of the provider's configuration, resources and data sources; a resource's or
 * data source's is derived from its schema when first asked for, then kept.
 */
interface WireTypes {
  readonly provider: WireType;
  readonly resource: (name: string) => WireType;
  readonly data: (name: string) => WireType;
}

function wireTypesOf(provider: StandInProvider): WireTypes {
  const types = new Map<string, WireType>();
  const cached = (key: string, block: () => SchemaBlock): WireType => {
    const known = types.get(key);
    if (known) return known;
    const type = impliedType(block());
    types.set(key, type);
    return type;
  };
  return {
    resource: (name) => cached(`resource ${name}`, () => resourceSchema(provider, name).block),
    data: (name) => cached(`data ${name}`, () => dataSourceSchema(provider, name).block),
    provider: impliedType(provider.schema.provider),
  };
}

interface UpgradeResourceStateRequest extends TypedRequest {
  readonly raw_state?: { readonly json?: Uint8Array };
}
interface ReadResourceRequest extends TypedRequest {
  readonly current_state?: DynamicValueMessage;
  readonly private?: Uint8Array;
}
interface PlanResourceChangeRequest extends TypedRequest {
  readonly prior_state?: DynamicValueMessage;
  readonly proposed_new_state?: DynamicValueMessage;
  readonly config?: DynamicValueMessage;
  readonly prior_private?: Uint8Array;
}
interface ApplyResourceChangeRequest extends TypedRequest {
  readonly prior_state?: DynamicValueMessage;
  readonly planned_state?: DynamicValueMessage;
  readonly config?: DynamicValueMessage;
  readonly planned_private?: Uint8Array;
}
interface ImportResourceStateRequest extends TypedRequest {
  readonly id: string;
}

/** The tfplugin6 Provider service for `provider`. */
export function providerService(provider: StandInProvider): UntypedServiceImplementation {
  const types = wireTypesOf(provider);
  return {
    GetMetadata: unary(() => metadataMessage(provider)),
    GetProviderSchema: unary(() => providerSchemaMessage(provider)),
    ValidateProviderConfig: unary(() => ({ diagnostics: [] })),
    ValidateResourceConfig: unary((request: TypedRequest & ConfigRequest) =>
      resourceConfigValidated(provider, types, request),
    ),
    ValidateDataResourceConfig: unary((request: TypedRequest & ConfigRequest) =>
      dataConfigValidated(provider, types, request),
    ),
    UpgradeResourceState: unary((request: UpgradeResourceStateRequest) =>
      resourceStateUpgraded(types, request),
    ),
    ConfigureProvider: unary((request: ConfigRequest) =>
      providerConfigured(provider, types, request),
    ),
    ReadResource: unary((request: ReadResourceRequest) => resourceRead(provider, types, request)),
    PlanResourceChange: unary((request: PlanResourceChangeRequest) =>
      resourceChangePlanned(provider, types, request),
    ),
    ApplyResourceChange: unary((request: ApplyResourceChangeRequest) =>
      resourceChangeApplied(provider, types, request),
    ),
    ImportResourceState: unary((request: ImportResourceStateRequest) =>
      resourceStateImported(provider, types, request),
    ),
    ReadDataSource: unary((request: TypedRequest & ConfigRequest) =>
      dataSourceRead(provider, types, request),
    ),
    StopProvider: unary(() => ({})),
  };
}

/** ValidateResourceConfig: the provider's findings about a resource's configuration. */
async function resourceConfigValidated(
  provider: StandInProvider,
  types: WireTypes,
  request: TypedRequest & ConfigRequest,
): Promise<object> {
  const { result, diagnostics } = await diagnose(() =>
    provider.validateResource?.(
      request.type_name,
      decodeObject(types.resource(request.type_name), request.config),
    ),
  );
  return { diagnostics: [...diagnostics, ...(result ?? []).map(diagnosticMessage)] };
}

/** ValidateDataResourceConfig: the provider's findings about a data source's configuration. */
async function dataConfigValidated(
  provider: StandInProvider,
  types: WireTypes,
  request: TypedRequest & ConfigRequest,
): Promise<object> {
  const { result, diagnostics } = await diagnose(() =>
    provider.validateData?.(
      request.type_name,
      decodeObject(types.data(request.type_name), request.config),
    ),
  );
  return { diagnostics: [...diagnostics, ...(result ?? []).map(diagnosticMessage)] };
}

/** UpgradeResourceState: the stored state as a value of the current type. */
async function resourceStateUpgraded(
  types: WireTypes,
  request: UpgradeResourceStateRequest,
): Promise<object> {
  // The state was written with this same schema (stand-ins never change versions), so
  // upgrading is decoding the stored JSON against the current type.
  const type = types.resource(request.type_name);
  const { result, diagnostics } = await diagnose(() => {
    const json = request.raw_state?.json;
    if (!json?.length) throw new Error("only JSON states are supported (no flatmap)");
    return fromJson(type, JSON.parse(Buffer.from(json).toString("utf8")));
  });
  return {
    ...(result === undefined ? {} : { upgraded_state: encodeValue(type, result) }),
    diagnostics,
  };
}

/** ConfigureProvider: the provider configured from its block. */
async function providerConfigured(
  provider: StandInProvider,
  types: WireTypes,
  request: ConfigRequest,
): Promise<object> {
  const { diagnostics } = await diagnose(() =>
    provider.configure?.(decodeObject(types.provider, request.config)),
  );
  return { diagnostics };
}

/** ReadResource: a resource's current state, as the provider reads it (else as stored). */
async function resourceRead(
  provider: StandInProvider,
  types: WireTypes,
  request: ReadResourceRequest,
): Promise<object> {
  const type = types.resource(request.type_name);
  const { result, diagnostics } = await diagnose(() => {
    const state = decodeObject(type, request.current_state);
    return provider.read ? provider.read(request.type_name, state) : state;
  });
  return {
    ...(result === undefined ? {} : { new_state: encodeValue(type, result) }),
    diagnostics,
    private: request.private ?? Buffer.alloc(0),
  };
}

/** PlanResourceChange: the planned state and what forces a replacement. */
async function resourceChangePlanned(
  provider: StandInProvider,
  types: WireTypes,
  request: PlanResourceChangeRequest,
): Promise<object> {
  const type = types.resource(request.type_name);
  const { result, diagnostics } = await diagnose(() => {
    const proposed = decodeObjectOrNull(type, request.proposed_new_state);
    // A destroy plans to null; Terraform only asks when plan_destroy is announced.
    if (proposed === null) return { planned: null, requiresReplace: [] };
    const planRequest = {
      typeName: request.type_name,
      prior: decodeObjectOrNull(type, request.prior_state),
      proposed,
      config: decodeObject(type, request.config),
    };
    return provider.plan ? provider.plan(planRequest) : defaultPlan(provider, planRequest);
  });
  return {
    ...(result === undefined
      ? {}
      : {
          planned_state: encodeValue(
            type,
            withoutWriteOnly(provider, request.type_name, result.planned),
          ),
          requires_replace: result.requiresReplace.map(pathMessage),
        }),
    planned_private: request.prior_private ?? Buffer.alloc(0),
    diagnostics,
    legacy_type_system: provider.legacyTypeSystem === true,
  };
}

/** ApplyResourceChange: the new state, without write-only values. */
async function resourceChangeApplied(
  provider: StandInProvider,
  types: WireTypes,
  request: ApplyResourceChangeRequest,
): Promise<object> {
  const type = types.resource(request.type_name);
  const { result, diagnostics } = await diagnose(() => {
    const applyRequest = {
      typeName: request.type_name,
      prior: decodeObjectOrNull(type, request.prior_state),
      planned: decodeObjectOrNull(type, request.planned_state),
      config: decodeObjectOrNull(type, request.config),
    };
    return provider.apply ? provider.apply(applyRequest) : defaultApply(provider, applyRequest);
  });
  return {
    ...(result === undefined
      ? {}
      : {
          new_state: encodeValue(type, withoutWriteOnly(provider, request.type_name, result)),
        }),
    private: request.planned_private ?? Buffer.alloc(0),
    diagnostics,
    legacy_type_system: provider.legacyTypeSystem === true,
  };
}

/** ImportResourceState: the state of an existing object, by its id. */
async function resourceStateImported(
  provider: StandInProvider,
  types: WireTypes,
  request: ImportResourceStateRequest,
): Promise<object> {
  const type = types.resource(request.type_name);
  const { result, diagnostics } = await diagnose(() =>
    provider.importState
      ? provider.importState(request.type_name, request.id)
      : defaultImport(provider, request.type_name, request.id),
  );
  return {
    imported_resources:
      result === undefined
        ? []
        : [{ type_name: request.type_name, state: encodeValue(type, result) }],
    diagnostics,
  };
}

/** ReadDataSource: a data source's state from its configuration. */
async function dataSourceRead(
  provider: StandInProvider,
  types: WireTypes,
  request: TypedRequest & ConfigRequest,
): Promise<object> {
  const type = types.data(request.type_name);
  const { result, diagnostics } = await diagnose(() => {
    const config = decodeObject(type, request.config);
    return provider.readData
      ? provider.readData(request.type_name, config)
      : defaultReadData(provider, request.type_name, config);
  });
  return {
    ...(result === undefined ? {} : { state: encodeValue(type, result) }),
    diagnostics,
  };
}

/** How {@link serve} serves. */
export interface ServeOptions {
  /**
   * A file for the encoded GetProviderSchema answer, shared by the processes of one rehearsal:
   * read when present, else written after the first answer is built. Terraform asks once in
   * every command, and google's ~1,600 types take about 2 s to extract and encode.
   * @default none: built in every process
   */
  readonly schemaCacheFile?: string;
}

/**
 * The tfplugin6 service whose GetProviderSchema answers from `schemaCacheFile`: the answer goes
 * out as the bytes stored there (the method's serializer passes a Buffer through).
 */
export function providerServiceWithSchemaCache(
  provider: StandInProvider,
  schemaCacheFile: string | undefined,
): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  const definition = loadService("tfplugin6.proto", "tfplugin6.Provider");
  const implementation = providerService(provider);
  const method = definition.GetProviderSchema;
  if (!schemaCacheFile || !method) return { definition, implementation };
  const encode = (message: unknown): Buffer =>
    Buffer.isBuffer(message) ? message : method.responseSerialize(message);
  const encodedSchema = (): Buffer => {
    if (existsSync(schemaCacheFile)) return readFileSync(schemaCacheFile);
    const encoded = encode(providerSchemaMessage(provider));
    // Another process of the same command may be writing it too: rename is atomic.
    const partial = `${schemaCacheFile}.${String(process.pid)}.partial`;
    writeFileSync(partial, encoded);
    renameSync(partial, schemaCacheFile);
    return encoded;
  };
  return {
    definition: { ...definition, GetProviderSchema: { ...method, responseSerialize: encode } },
    implementation: { ...implementation, GetProviderSchema: unary(encodedSchema) },
  };
}

/**
 * Start serving `provider` for the Terraform process that launched us and print the handshake
 * line. Exits the process on a bad launch (no cookie, no protocol 6) as go-plugin does.
 */
export async function serve(provider: StandInProvider, options: ServeOptions = {}): Promise<void> {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    // go-plugin server.go prints this and exits 1 when started outside Terraform.
    process.stderr.write(
      "This binary is a plugin. These are not meant to be executed directly.\n" +
        "Please execute the program that consumes these plugins, which will\n" +
        "load any plugins automatically\n",
    );
    process.exit(1);
  }
  const offered = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? String(PROTOCOL_VERSION)).split(",");
  if (!offered.includes(String(PROTOCOL_VERSION))) {
    process.stderr.write(`stand-in providers speak protocol 6 only; offered ${offered}\n`);
    process.exit(1);
  }

  const server = new Server({
    // go-plugin's client lifts its limits to MaxInt32 (grpc_client.go); large schemas need it.
    "grpc.max_receive_message_length": 256 * 1024 * 1024,
    "grpc.max_send_message_length": 256 * 1024 * 1024,
  });
  const tfplugin6 = providerServiceWithSchemaCache(provider, options.schemaCacheFile);
  server.addService(tfplugin6.definition, tfplugin6.implementation);
  server.addService(loadService("health.proto", "grpc.health.v1.Health"), {
    Check: unary(() => ({ status: "SERVING" })),
  });
  server.addService(loadService("go-plugin.proto", "plugin.GRPCController"), {
    Shutdown: unary(() => {
      // Answer first, then leave: go-plugin kills the process if it is still there later.
      setTimeout(() => process.exit(0), 10);
      return {};
    }),
  });
  // Terraform forwards an interrupt to its process group and stops providers through
  // StopProvider and Shutdown; go-plugin servers ignore SIGINT the same way (server.go).
  process.on("SIGINT", () => undefined);

  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  const ours = clientCert ? serverCertificate() : undefined;
  const credentials = ours
    ? ServerCredentials.createSsl(
        Buffer.from(clientCert ?? ""),
        [{ private_key: Buffer.from(ours.keyPem), cert_chain: Buffer.from(ours.certPem) }],
        true,
      )
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  process.stdout.write(
    `1|${PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${ours?.handshake ?? ""}\n`,
  );
}
