/** Recommended Kubernetes labels; `app.kubernetes.io/name` is also the selector. */
export function appLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "hybrid-registry",
    "app.kubernetes.io/managed-by": "terraform",
  };
}

export function selectorLabels(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name };
}
