// The one YAML writer: compose files, registry configs and (later) Kubernetes manifests
// are built as plain objects and rendered here, so quoting and key order are the same
// everywhere. Keys keep the order the generator gave them; strings that YAML would read
// as something else are quoted by the library.
import { stringify } from "yaml";

export function renderYaml(doc: unknown, header: string): string {
  const comment = header
    .split("\n")
    .map((l) => `# ${l}`.trimEnd())
    .join("\n");
  return `${comment}\n${stringify(doc, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false })}`;
}

/** JSON as matchbox and the lab's supervisor read it: two spaces, a final newline. */
export function renderJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Several YAML documents in one file (Kubernetes manifests), separated by `---`. */
export function renderYamlStream(docs: readonly unknown[], header: string): string {
  const body = docs
    .map((d) => stringify(d, { lineWidth: 0, indent: 2, aliasDuplicateObjects: false }))
    .join("---\n");
  return renderYaml(null, header).replace(/null\n$/, "") + body;
}
