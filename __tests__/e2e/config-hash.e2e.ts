/**
 * The registry pods roll when a secret changes because a pod-template annotation hashes every
 * config and secret input. This suite evaluates the emitted annotation expression with real
 * Terraform (`terraform console`, no provider needed): with the references replaced by
 * literal values, the digest must be stable for equal inputs and change with any one input.
 */
import { CONFIG_HASH_ANNOTATION } from "../../lib/k8s/config-hash";
import { loadEnvironment } from "../helpers/config";
import { resourcesOf } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import { cleanupTempDirs, makeTempDir, requireTool, runOk } from "./support/tools";

/** Resource, data-source and remote-state references inside a Terraform expression. */
const REFERENCE =
  /\b(?:random_password\.[\w-]+\.result|tls_[a-z_]+\.[\w-]+\.[a-z_]+|data\.terraform_remote_state\.[\w-]+\.outputs\.\w+|data\.google_secret_manager_secret_version\.[\w-]+\.secret_data)/g;

function registryAnnotation(): string {
  const workloads = synthAll(loadEnvironment("environments/example.yaml")).workloads;
  const [registry] = resourcesOf(workloads, "kubernetes_deployment_v1").filter(
    ([, body]) => (body.metadata as { name?: string } | undefined)?.name === "registry",
  );
  const template = (
    registry[1].spec as { template: { metadata: { annotations: Record<string, string> } } }
  ).template;
  const annotation = template.metadata.annotations[CONFIG_HASH_ANNOTATION];
  const expression = annotation.match(/^\$\{(.*)\}$/s)?.[1];
  if (!expression)
    throw new Error(`annotation is not a single Terraform expression: ${annotation}`);
  return expression;
}

describe("registry config hash, evaluated by Terraform", () => {
  const terraform = requireTool("terraform", "terraform (on the PATH of the development image)");
  const expression = registryAnnotation();
  const references = [...new Set(expression.match(REFERENCE) ?? [])];
  const dir = makeTempDir("config-hash-");
  afterAll(() => cleanupTempDirs());

  function evaluate(values: Record<string, string>): string {
    const literal = expression.replace(REFERENCE, (reference) => JSON.stringify(values[reference]));
    const result = runOk(terraform, ["console"], {
      cwd: dir,
      input: `${literal}\n`,
      env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" },
    });
    const digest = result.stdout.trim().replace(/^"|"$/g, "");
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    return digest;
  }

  const base = (): Record<string, string> =>
    Object.fromEntries(references.map((reference, i) => [reference, `value-${i}`]));

  it("hashes the TLS pair, every password and the HTTP secret", () => {
    expect(references.sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/outputs\.server_certificate_pem$/),
        expect.stringMatching(
          /^data\.google_secret_manager_secret_version\.server-key\.secret_data$/,
        ),
        expect.stringMatching(/^random_password\.credentials_push-password_\w+\.result$/),
        expect.stringMatching(/^random_password\.credentials_pull-password_\w+\.result$/),
        expect.stringMatching(/^random_password\.credentials_http-secret_\w+\.result$/),
      ]),
    );
  });

  it("is stable for equal inputs and changes with each single input", () => {
    const reference = evaluate(base());
    expect(evaluate(base())).toBe(reference);
    for (const input of references) {
      const changed = evaluate({ ...base(), [input]: "rotated" });
      expect({ input, changed: changed !== reference }).toEqual({ input, changed: true });
    }
    console.log(
      `config hash: ${references.length} inputs, each one rotated changes ${reference.slice(0, 12)}…`,
    );
  });
});
