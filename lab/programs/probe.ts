// A probe run inside a lab namespace (`ip netns exec NS …`); prints one JSON result.
//   probe.ts http URL [timeoutMs]   an HTTP GET with undici
//   probe.ts tcp HOST PORT [timeoutMs]   a TCP connect, reading what the peer sends
//   probe.ts dns SERVER NAME TYPE [timeoutMs]   a DNS query over UDP with dns-packet
//   probe.ts dhcp MAC [timeoutMs]   a DHCPDISCOVER broadcast; the first offer, decoded
//   probe.ts blob URL OFFSET LENGTH [timeoutMs]   an HTTP GET of binary content: its size and some bytes
//   probe.ts tftp SERVER FILE [timeoutMs]   a TFTP read (RFC 1350): the file's size and SHA-256
import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import * as dnsPacket from "dns-packet";
import { request } from "undici";

export interface ProbeResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
  readonly ms: number;
  /** dns: the response code and answers; dhcp: the offer. */
  readonly rcode?: string;
  readonly answers?: readonly { name: string; type: string; data: string }[];
  readonly offer?: DhcpOffer;
  /** blob: the body's size and the requested bytes, as latin1 text; tftp: the size and digest. */
  readonly size?: number;
  readonly slice?: string;
  readonly sha256?: string;
}

export interface DhcpOffer {
  readonly address: string;
  readonly server?: string;
  readonly router?: string;
  readonly dns?: string;
  readonly leaseSeconds?: number;
  readonly bootFile?: string;
}

async function http(url: string, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  try {
    const r = await request(url, {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await r.body.text();
    return { ok: true, status: r.statusCode, body, ms: Date.now() - start };
  } catch (e) {
    return { ok: false, error: (e as Error).message, ms: Date.now() - start };
  }
}

async function blob(url: string, offset: number, length: number, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  try {
    const r = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const body = Buffer.from(await r.body.arrayBuffer());
    return {
      ok: true,
      status: r.statusCode,
      size: body.length,
      slice: body.subarray(offset, offset + length).toString("latin1"),
      ms: Date.now() - start,
    };
  } catch (e) {
    return { ok: false, error: (e as Error).message, ms: Date.now() - start };
  }
}

/** A TFTP read request, each 512-byte block acknowledged, until a short block ends it. */
function tftp(server: string, file: string, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const blocks: Buffer[] = [];
    let expected = 1;
    const done = (r: Omit<ProbeResult, "ms">) => {
      socket.close();
      resolve({ ...r, ms: Date.now() - start });
    };
    const timer = setTimeout(() => {
      done({ ok: false, error: `TFTP read of ${file} from ${server}: no data within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.on("message", (msg: Buffer, from) => {
      const op = msg.readUInt16BE(0);
      if (op === 5) {
        clearTimeout(timer);
        done({
          ok: false,
          error: `TFTP error ${msg.readUInt16BE(2)}: ${msg.subarray(4).toString().replace(/\0.*$/s, "")}`,
        });
        return;
      }
      if (op !== 3) return;
      const block = msg.readUInt16BE(2);
      const ack = Buffer.from([0, 4, msg[2] ?? 0, msg[3] ?? 0]);
      // The server answers from a port of its own for the transfer; acknowledge there.
      socket.send(ack, from.port, from.address);
      if (block !== (expected & 0xffff)) return;
      expected++;
      const data = msg.subarray(4);
      blocks.push(data);
      if (data.length < 512) {
        clearTimeout(timer);
        const body = Buffer.concat(blocks);
        done({ ok: true, size: body.length, sha256: createHash("sha256").update(body).digest("hex") });
      }
    });
    const rrq = Buffer.concat([Buffer.from([0, 1]), Buffer.from(`${file}\0octet\0`)]);
    socket.send(rrq, 69, server);
  });
}

function tcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    let body = "";
    const s = connect({ host, port });
    const done = (r: Omit<ProbeResult, "ms">) => {
      s.destroy();
      resolve({ ...r, ms: Date.now() - start });
    };
    s.setTimeout(timeoutMs, () => {
      done({ ok: false, error: `no answer within ${timeoutMs} ms` });
    });
    s.on("data", (d: Buffer) => (body += d.toString()));
    s.on("end", () => {
      done({ ok: true, body });
    });
    s.on("error", (e) => {
      done({ ok: false, error: e.message });
    });
  });
}

function dns(server: string, name: string, type: string, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = createSocket(server.includes(":") ? "udp6" : "udp4");
    const id = randomBytes(2).readUInt16BE();
    const done = (r: Omit<ProbeResult, "ms">) => {
      socket.close();
      resolve({ ...r, ms: Date.now() - start });
    };
    const timer = setTimeout(() => {
      done({ ok: false, error: `no answer from ${server} within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.on("message", (msg: Buffer) => {
      const r = dnsPacket.decode(msg);
      if (r.id !== id) return;
      clearTimeout(timer);
      // The rcode sits in the low four bits of the flags (dns-packet's types omit it).
      const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];
      done({
        ok: true,
        rcode: RCODES[(r.flags ?? 0) & 15] ?? String((r.flags ?? 0) & 15),
        answers: (r.answers ?? []).map((x) => {
          const data: unknown = "data" in x ? x.data : undefined;
          return { name: x.name, type: x.type, data: typeof data === "string" ? data : JSON.stringify(data) };
        }),
      });
    });
    const query = dnsPacket.encode({
      type: "query",
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: type as dnsPacket.RecordType, name }],
    });
    socket.send(query, 53, server);
  });
}

/** A DHCPDISCOVER (RFC 2131) with the broadcast flag set; resolves with the first offer. */
function dhcp(mac: string, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  const chaddr = Buffer.from(mac.split(":").map((h) => parseInt(h, 16)));
  const xid = randomBytes(4);
  const packet = Buffer.alloc(300);
  packet[0] = 1; // BOOTREQUEST
  packet[1] = 1; // Ethernet
  packet[2] = 6;
  xid.copy(packet, 4);
  packet.writeUInt16BE(0x8000, 10); // broadcast replies: this host has no address yet
  chaddr.copy(packet, 28);
  packet.writeUInt32BE(0x63825363, 236);
  Buffer.from([53, 1, 1, 55, 4, 1, 3, 6, 51, 255]).copy(packet, 240);
  return new Promise((resolve) => {
    const socket = createSocket({ type: "udp4", reuseAddr: true });
    const done = (r: Omit<ProbeResult, "ms">) => {
      socket.close();
      resolve({ ...r, ms: Date.now() - start });
    };
    const timer = setTimeout(() => {
      done({ ok: false, error: `no DHCP offer within ${timeoutMs} ms` });
    }, timeoutMs);
    socket.on("message", (msg: Buffer) => {
      if (msg[0] !== 2 || !msg.subarray(4, 8).equals(xid)) return;
      const ip4 = (b: Buffer, o: number) => [...b.subarray(o, o + 4)].join(".");
      const options = new Map<number, Buffer>();
      for (let i = 240; i < msg.length && msg[i] !== 255;) {
        const code = msg[i] ?? 0;
        if (code === 0) {
          i++;
          continue;
        }
        const len = msg[i + 1] ?? 0;
        options.set(code, msg.subarray(i + 2, i + 2 + len));
        i += 2 + len;
      }
      if (options.get(53)?.[0] !== 2) return;
      clearTimeout(timer);
      const opt4 = (code: number) => {
        const v = options.get(code);
        return v && v.length >= 4 ? ip4(v, 0) : undefined;
      };
      const file = msg.subarray(108, 236).toString("latin1").replace(/\0.*$/s, "");
      const lease = options.get(51);
      const offer: DhcpOffer = {
        address: ip4(msg, 16),
        ...(opt4(54) ? { server: opt4(54) } : {}),
        ...(opt4(3) ? { router: opt4(3) } : {}),
        ...(opt4(6) ? { dns: opt4(6) } : {}),
        ...(lease && lease.length === 4 ? { leaseSeconds: lease.readUInt32BE() } : {}),
        ...(file ? { bootFile: file } : {}),
      };
      done({ ok: true, offer });
    });
    socket.bind(68, () => {
      socket.setBroadcast(true);
      socket.send(packet, 67, "255.255.255.255");
    });
  });
}

const [kind, a, b, c, d] = process.argv.slice(2);
const result =
  kind === "http" && a
    ? await http(a, Number(b ?? 3000))
    : kind === "tcp" && a && b
      ? await tcp(a, Number(b), Number(c ?? 3000))
      : kind === "dns" && a && b && c
        ? await dns(a, b, c, Number(d ?? 3000))
        : kind === "dhcp" && a
          ? await dhcp(a, Number(b ?? 5000))
          : kind === "blob" && a && b && c
            ? await blob(a, Number(b), Number(c), Number(d ?? 20_000))
            : kind === "tftp" && a && b
              ? await tftp(a, b, Number(c ?? 10_000))
              : {
                  ok: false,
                  error:
                    "usage: probe.ts http URL [ms] | tcp HOST PORT [ms] | dns SERVER NAME TYPE [ms] | dhcp MAC [ms] | blob URL OFFSET LENGTH [ms] | tftp SERVER FILE [ms]",
                  ms: 0,
                };
console.log(JSON.stringify(result));
