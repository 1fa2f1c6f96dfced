// The architecture diagram, drawn from the model (never by hand): the VPC and its subnets,
// the NAT choice, the bastion with its services and ports, the nodes by name, address,
// arch and role, and the two ways in and out (SSH from home over IPv6, egress through NAT).
import { derived, type Model } from "../model/index.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  title: string;
  lines?: readonly string[];
  fill: string;
}

function box(b: Box): string {
  const lines = (b.lines ?? [])
    .map((l, i) => `<text x="${b.x + 12}" y="${b.y + 46 + i * 19}" class="t">${esc(l)}</text>`)
    .join("");
  return `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="10" fill="${b.fill}" stroke="#1f2937" stroke-width="1.5"/><text x="${b.x + 12}" y="${b.y + 24}" class="h">${esc(b.title)}</text>${lines}`;
}

/** An arrow with its label placed at `at` of the way, nudged off the line. */
function arrow(x1: number, y1: number, x2: number, y2: number, label: string, at = 0.5, dy = -8): string {
  const lx = x1 + (x2 - x1) * at;
  const ly = y1 + (y2 - y1) * at + dy;
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#111827" stroke-width="2" marker-end="url(#a)"/><text x="${lx}" y="${ly}" class="l">${esc(label)}</text>`;
}

export function architectureSvg(model: Model): string {
  const d = derived(model);
  const n = model.network;
  const nat =
    n.nat === "bastion"
      ? [`the bastion's first interface`, "its public IPv4 while it runs: the NAT"]
      : n.nat === "nat_instance"
        ? [
            `NAT instance ${n.natInstanceType}`,
            n.natSchedule === "bastion" ? "on the bastion's hours" : "always on",
          ]
        : n.nat === "nat_gateway"
          ? ["NAT gateway"]
          : ["no IPv4 NAT"];
  const caches = model.services.caches.map((c) => `:${c.port} cache ${c.upstream}`);
  const services = [
    `${model.bastion.privateIp} (fixed interface)`,
    `:${model.services.matchboxPort} matchbox · :${model.services.dnsPort} DNS filter · DHCP/TFTP`,
    ...caches,
    `on ${model.bastion.schedule.start} → ${model.bastion.schedule.stop} (${model.bastion.schedule.timeZone})`,
  ];
  const privateHeight = 100 + services.length * 19;
  const nodes = d.nodes.map((m) => `${m.name} ${m.ip} ${m.arch} ${m.role}`);
  const width = 1280;
  const height = 290 + privateHeight;
  const parts = [
    box({
      x: 30,
      y: 40,
      w: 250,
      h: 110,
      title: "Home (operator)",
      lines: ["IPv6 /128 only", "ssh → bastion :22"],
      fill: "#fef3c7",
    }),
    box({
      x: 30,
      y: 300,
      w: 250,
      h: 110,
      title: "Internet",
      lines: ["registries, Image Factory", "no way in"],
      fill: "#e5e7eb",
    }),
    box({
      x: 340,
      y: 20,
      w: 910,
      h: 250 + privateHeight,
      title: `VPC ${n.vpcCidr} · ${model.region} · ${n.availabilityZone}`,
      fill: "#eff6ff",
    }),
    box({
      x: 370,
      y: 70,
      w: 380,
      h: 150,
      title: `public ${n.public.cidr}`,
      lines: ["internet gateway", ...nat],
      fill: "#dbeafe",
    }),
    box({
      x: 790,
      y: 70,
      w: 430,
      h: 150,
      title: "egress-only gateway (IPv6)",
      lines: ["out only, free", "flow logs on the VPC"],
      fill: "#dbeafe",
    }),
    box({
      x: 370,
      y: 250,
      w: 850,
      h: privateHeight,
      title: `private ${n.private.cidr}`,
      fill: "#e0e7ff",
    }),
    box({
      x: 390,
      y: 290,
      w: 440,
      h: 40 + services.length * 19 + 20,
      title: `${model.bastion.name} (${model.bastion.instanceType})`,
      lines: services,
      fill: "#ffffff",
    }),
    box({
      x: 860,
      y: 290,
      w: 350,
      h: 60 + (nodes.length + 1) * 19,
      title: "Talos nodes",
      lines: [...nodes, `${model.nodes.aws.instanceType} on AWS`],
      fill: "#ffffff",
    }),
    arrow(280, 95, 600, 288, "SSH over IPv6", 0.8, -4),
    arrow(400, 220, 282, 330, "IPv4 out", 0.45, 24),
    arrow(858, 340, 833, 340, "boot", 0.5, -10),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    '<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#111827"/></marker>',
    "<style>.h{font-size:18px;font-weight:bold;fill:#111827}.t{font-size:14px;fill:#1f2937}.l{font-size:14px;fill:#b91c1c;font-weight:bold}</style></defs>",
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
