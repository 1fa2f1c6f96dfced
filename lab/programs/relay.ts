// The lab's stand-in for the regional AWS API endpoint: a TCP listener on the lab internet
// that relays each connection to the emulator's Unix socket. Programs in the lab reach the
// API the way an instance does (through the NAT, to the internet), and no namespace gets a
// route to the host: the only way through is this one socket file.
//   relay.ts HOST PORT UNIX_SOCKET
import { connect, createServer } from "node:net";

const [host, port, socketPath] = process.argv.slice(2);
if (!host || !port || !socketPath) {
  console.error("usage: relay.ts HOST PORT UNIX_SOCKET");
  process.exit(2);
}
createServer((client) => {
  const upstream = connect(socketPath);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close);
  upstream.on("error", (e) => {
    console.error(`${new Date().toISOString()} ${client.remoteAddress ?? ""}: ${e.message}`);
    close();
  });
  console.log(`${new Date().toISOString()} ${client.remoteAddress ?? ""} connected`);
}).listen(Number(port), host, () => {
  console.log(`listening on ${host}:${port}, relaying to ${socketPath}`);
});
