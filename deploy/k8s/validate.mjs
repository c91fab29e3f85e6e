// Validates rendered manifests (multi-document YAML on stdin, e.g. `kubectl kustomize deploy/k8s/overlays/prod`)
// offline: every object against the Kubernetes schemas (npm kubernetes-models), and the goldbach workloads against
// what production needs (probes, CPU request without CPU limit, non-root read-only containers, no service account
// token, rolling updates that never drop a pod, a grace period longer than the 120 s shutdown).
// Exit code 0 when all is well; 1 with one line per problem otherwise.
import { parseAllDocuments } from "yaml";

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});

const problems = [];
const objects = parseAllDocuments(input).map((d) => d.toJS()).filter((o) => o);
if (objects.length === 0) {
  problems.push("no objects on stdin");
}

for (const object of objects) {
  const name = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const module = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) {
    problems.push(`${name}: unknown apiVersion/kind ${object.apiVersion} ${object.kind}`);
    continue;
  }
  if (object.kind === "Secret" && object.data) {
    // kustomize wraps long base64 values over lines; the API server's decoder ignores the line breaks.
    object.data = Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, String(v).replace(/\s+/g, "")]));
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${name}: ${error.message.replace(/\s+/g, " ")}`);
  }
  if (object.kind === "Deployment" && object.metadata.name.startsWith("goldbach-")) {
    checkWorkload(name, object, problems);
  }
  if (object.kind === "Secret" && !process.argv.includes("--allow-secrets")) {
    problems.push(`${name}: a Secret with values in the manifests (only the dev overlay may generate one)`);
  }
}

function checkWorkload(name, deployment, problems) {
  const spec = deployment.spec.template.spec;
  const need = (condition, what) => condition || problems.push(`${name}: ${what}`);
  need(spec.automountServiceAccountToken === false, "automountServiceAccountToken must be false");
  need(spec.securityContext?.runAsNonRoot === true, "the pod must run as non-root");
  need((spec.terminationGracePeriodSeconds ?? 30) > 120, "terminationGracePeriodSeconds must exceed the 120 s shutdown timeout");
  need(deployment.spec.strategy?.rollingUpdate?.maxUnavailable === 0, "rolling updates must use maxUnavailable: 0");
  const labels = deployment.spec.template.metadata.labels ?? {};
  need(labels["orleans/serviceId"] && labels["orleans/clusterId"], "pods need the orleans/serviceId and orleans/clusterId labels");
  for (const container of spec.containers) {
    const c = `${name} container ${container.name}`;
    const needC = (condition, what) => condition || problems.push(`${c}: ${what}`);
    needC(container.readinessProbe?.httpGet?.path === "/health/ready", "readiness probe on /health/ready");
    needC(container.livenessProbe?.httpGet?.path === "/health/live", "liveness probe on /health/live");
    needC(container.startupProbe?.httpGet?.path === "/health/startup", "startup probe on /health/startup");
    needC(container.resources?.requests?.cpu, "a CPU request");
    needC(!container.resources?.limits?.cpu, "no CPU limit (.NET)");
    needC(container.resources?.limits?.memory, "a memory limit");
    needC(container.securityContext?.allowPrivilegeEscalation === false, "allowPrivilegeEscalation: false");
    needC(container.securityContext?.readOnlyRootFilesystem === true, "readOnlyRootFilesystem: true");
    needC(container.securityContext?.capabilities?.drop?.includes("ALL"), "capabilities dropped");
    const env = (container.env ?? []).filter((e) => e.value !== undefined && /secret|password|token|key|connection/i.test(e.name));
    needC(env.length === 0, `secret-looking values inline: ${env.map((e) => e.name).join(", ")}`);
  }
}

if (problems.length > 0) {
  for (const problem of problems) {
    console.error(problem);
  }
  process.exit(1);
}
console.log(`${objects.length} objects valid (${[...new Set(objects.map((o) => o.kind))].join(", ")})`);
