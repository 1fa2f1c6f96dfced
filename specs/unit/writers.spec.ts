// Unit specs of the format writers: quoting, alignment and layout are right once, here.
import { expect, test } from "@playwright/test";
import { attrs, block, comment, hclFile, quote, ref, renderHcl } from "../../generators/writers/hcl.ts";
import { markdownTable } from "../../generators/writers/markdown.ts";
import { shellAssignments, shq } from "../../generators/writers/shell.ts";
import { fillSlots, insertHeader, Rendered } from "../../generators/writers/source.ts";
import { readInterface } from "../../generators/writers/tofu.ts";
import { parse as parseYaml } from "yaml";

test("HCL strings are quoted and template sequences stay literal", () => {
  expect(quote('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
  expect(quote("${var.x} and %{if}")).toBe('"$${var.x} and %%{if}"');
  expect(quote("back\\slash")).toBe('"back\\\\slash"');
});

test("HCL aligns '=' across a run of one-line attributes, as tofu fmt does", () => {
  const text = renderHcl([
    block(
      "resource",
      ["aws_vpc", "this"],
      attrs({ cidr_block: ref("var.vpc_cidr"), enable_dns_support: true }),
      attrs({ tags: { Name: "x", "kubernetes.io/role": "y" } }),
      attrs({ count: 1 }),
    ),
  ]);
  expect(text).toBe(
    [
      'resource "aws_vpc" "this" {',
      "  cidr_block         = var.vpc_cidr",
      "  enable_dns_support = true",
      "  tags = {",
      '    Name                 = "x"',
      '    "kubernetes.io/role" = "y"',
      "  }",
      "  count = 1",
      "}",
      "",
    ].join("\n"),
  );
});

test("HCL comments break alignment runs and stay with the block after them", () => {
  const text = hclFile("header", [
    comment("why"),
    block("locals", [], attrs({ a: 1 }), comment("c"), attrs({ longer: 2 })),
  ]);
  expect(text).toBe("# header\n\n# why\nlocals {\n  a = 1\n  # c\n  longer = 2\n}\n");
});

test("HCL lists render inline when short and one per line when long", () => {
  expect(renderHcl(attrs({ l: ["a", "b"] }))).toBe('l = ["a", "b"]\n');
  expect(renderHcl(attrs({ l: ["a", "b", "c", "d"] }))).toBe('l = [\n  "a",\n  "b",\n  "c",\n  "d",\n]\n');
});

test("shell values are quoted only where they need to be", () => {
  expect(shq("a b'c")).toBe(`'a b'"'"'c'`);
  expect(shq("plain-1.2")).toBe("plain-1.2");
});

test("markdown tables are aligned and escape pipes", () => {
  expect(markdownTable(["A", "Bee"], [["x|y", "z"]])).toBe("| A    | Bee |\n| ---- | --- |\n| x\\|y | z   |");
});

test("a source file's slots are escaped for its language, and every slot and value must meet", () => {
  expect(fillSlots('owners = ["{{ owner }}"] # {{ owner }}', "x.tf", { owner: 'a"b${c}' })).toBe(
    'owners = ["a\\"b$${c}"] # a\\"b$${c}',
  );
  expect(
    () => fillSlots('x = "{{ v }}"', "x.tf", { v: "two\nlines" }),
    "a newline would end the string",
  ).toThrow("must be one line");
  expect(fillSlots('tag="{{ t }}"', "x.sh", { t: "moon-and-back:budget" })).toBe(
    'tag="moon-and-back:budget"',
  );
  expect(() => fillSlots("d={{ t }}", "x.sh", { t: "a b" }), "a space splits a word").toThrow(
    "characters the shell reads",
  );
  expect(() => fillSlots("d={{ t }}", "x.sh", { t: "$(id)" })).toThrow("characters the shell reads");
  expect(() => fillSlots("{{ a }}", "x.tf", {}), "a slot without a value").toThrow("no value for {{ a }}");
  expect(() => fillSlots("x", "x.tf", { a: "1" }), "a value without a slot").toThrow("no slot for a");
  expect(
    () => fillSlots('x = "{{ a }}{b}"', "x.tf", { a: "cost$" }),
    "a sigil the next text completes",
  ).toThrow("must not end in $ or %");
  expect(() => fillSlots('x = "{{bundleDir}}"', "x.tf", {}), "a misspelt slot").toThrow(
    "{{bundleDir}} is not a slot",
  );
});

test("a source's block of lines is quoted by its writer and stands on its own line", () => {
  const settings = shellAssignments({ version: "1.2", names: ["a b", "c"] });
  expect(fillSlots("#!/bin/bash\n{{ settings }}\necho", "x.sh", { settings })).toBe(
    "#!/bin/bash\nversion=1.2\nnames=('a b' c)\necho",
  );
  expect(() => fillSlots("x={{ settings }}", "x.sh", { settings })).toThrow("must stand alone on its line");
});

test("a copied source names itself right after its leading comments", () => {
  expect(insertHeader("#!/bin/bash\n# what it is\nset -e\n", "Copied from s.", "s.sh")).toBe(
    "#!/bin/bash\n# what it is\n# Copied from s.\nset -e\n",
  );
  expect(() => insertHeader("set -e\n", "h", "s.sh"), "a source must say what it is").toThrow(
    "must start with a comment",
  );
});

test("HCL takes a list of constants as a tuple, Markdown one-line values, and an empty block drops its line", () => {
  expect(fillSlots("x = contains({{ c }}, var.x)", "x.tf", { c: ["a", 'b"', 7] })).toBe(
    'x = contains(["a", "b\\"", 7], var.x)',
  );
  expect(() => fillSlots("{{ c }}", "x.sh", { c: ["a"] }), "a list only in HCL").toThrow("only in HCL");
  expect(fillSlots("CozyStack {{ v }} on", "x.md", { v: "1.6.2" })).toBe("CozyStack 1.6.2 on");
  expect(() => fillSlots("`{{ v }}`", "x.md", { v: "a`b" }), "a backtick ends a code span").toThrow(
    "without backticks",
  );
  expect(fillSlots("a\n{{ b }}\nc\n", "x.md", { b: new Rendered("") })).toBe("a\nc\n");
  expect(insertHeader("# Title\n\nProse.\n", "Copied from s.", "s.md")).toBe(
    "# Title\n\n<!-- Copied from s. -->\n\nProse.\n",
  );
});

test("a module's interface is read from its own HCL, and what cannot be read is refused", () => {
  const hcl = [
    "# Variables of a module.",
    "",
    'variable "name" {',
    "  type        = string",
    '  description = "Prefix of every name; \\"quoted\\" and $${literal}. Example: \\"moon\\""',
    "  validation {",
    '    condition     = can(regex("^[a-z]+$", var.name))',
    '    error_message = "name must be lowercase."',
    "  }",
    "}",
    "",
    'variable "tags" {',
    "  type        = map(string)",
    '  description = "Tags."',
    "  default     = {}",
    "}",
    "",
    'output "id" {',
    '  description = "The ID."',
    "  value       = aws_vpc.this.id",
    "}",
    "",
  ].join("\n");
  const i = readInterface(hcl, "m.tf");
  expect(i.variables.map((v) => [v.name, v.type, v.description])).toEqual([
    ["name", "string", 'Prefix of every name; "quoted" and ${literal}. Example: "moon"'],
    ["tags", "map(string)", "Tags."],
  ]);
  expect(i.variables[0]?.default, "no default: required").toBeUndefined();
  expect(i.variables[1]?.default, "a default, as its HCL").toEqual(ref("{}"));
  expect(i.outputs).toEqual([{ name: "id", description: "The ID.", value: "aws_vpc.this.id" }]);
  expect(() => readInterface('resource "x" "y" {\n}\n', "m.tf")).toThrow("expected a variable or output");
  expect(() => readInterface('variable "a" {\n  type = string\n', "m.tf")).toThrow("never closes");
  expect(() => readInterface('variable "a" {\n  description = "${var.b}"\n}\n', "m.tf")).toThrow(
    "must not interpolate",
  );
  expect(() => readInterface('variable "a" {\n  type = object({\n}\n', "m.tf")).toThrow(
    "one attribute on one line",
  );
});

test("dnsmasq, YAML and TOML slots are read back as the value, or refused", () => {
  expect(fillSlots("listen-address={{ ip }}", "x.conf", { ip: "10.0.0.1" })).toBe("listen-address=10.0.0.1");
  for (const bad of ["a b", 'a"b', "a\\b", "a\nb", "", "#x", "a".repeat(513)])
    expect(() => fillSlots("local=/{{ d }}/", "x.conf", { d: bad }), JSON.stringify(bad)).toThrow(
      "cannot be a dnsmasq value",
    );
  // Strings YAML would otherwise read as a number, a mapping, a comment or a boolean.
  for (const value of ["0.1", ": x # y", '"quoted" \\ back', "yes", "line\nbreak"])
    expect(parseYaml(fillSlots("a:\n  b: {{ v }}\n", "x.yml", { v: value })), value).toEqual({
      a: { b: value },
    });
  for (const bad of ["del\u007f", "c1\u0080", "nonchar\uffff", "lone\udc00"])
    expect(() => fillSlots("b: {{ v }}", "x.yml", { v: bad }), JSON.stringify(bad)).toThrow(
      "YAML readers refuse",
    );
  expect(fillSlots("[c.{{ n }}]\nd = {{ d }}", "x.toml", { n: "hello-spin", d: 'say "hi"' })).toBe(
    '[c."hello-spin"]\nd = "say \\"hi\\""',
  );
  expect(fillSlots("d = {{ d }}", "x.toml", { d: "tab\tnew\nline\u0001" })).toBe(
    'd = "tab\\tnew\\nline\\u0001"',
  );
  for (const bad of ["del\u007f", "lone\ud800"])
    expect(() => fillSlots("d = {{ d }}", "x.toml", { d: bad }), JSON.stringify(bad)).toThrow(
      "TOML strings cannot hold",
    );
});
