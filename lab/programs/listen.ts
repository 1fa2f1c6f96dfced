// A TCP listener for exposure probes: accepts, writes a banner naming itself, closes.
import { createServer } from "node:net";

const [host, port, banner = "lab-listener"] = process.argv.slice(2);
if (!host || !port) {
  console.error("usage: listen.ts HOST PORT [BANNER]");
  process.exit(2);
}
createServer((socket) => {
  console.log(`${new Date().toISOString()} connection from ${socket.remoteAddress ?? ""}`);
  socket.end(`${banner}\n`);
}).listen(Number(port), host, () => {
  console.log(`listening on ${host}:${port}`);
});
