// The lab internet's web server: answers every request with the address it came from,
// so a probe can tell whether (and through which public address) it was NATed.
import { createServer } from "node:http";

const [host, port] = process.argv.slice(2);
if (!host || !port) {
  console.error("usage: web.ts HOST PORT");
  process.exit(2);
}
createServer((req, res) => {
  const seen = req.socket.remoteAddress ?? "";
  console.log(`${new Date().toISOString()} ${seen} ${req.method ?? ""} ${req.url ?? ""}`);
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ server: host, seenFrom: seen }));
}).listen(Number(port), host, () => {
  console.log(`listening on ${host}:${port}`);
});
