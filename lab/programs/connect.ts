// A TCP connection from inside a lab namespace, carried over stdin/stdout: what an SSH
// client's ProxyCommand does, so the test process (in the host's namespace) can speak SSH
// from the operator's home without the host ever sending a packet to a lab address.
//   connect.ts HOST PORT [LOCAL_ADDRESS] [TIMEOUT_MS]
import { connect } from "node:net";

const [host, port, localAddress, timeout] = process.argv.slice(2);
if (!host || !port) {
  console.error("usage: connect.ts HOST PORT [LOCAL_ADDRESS] [TIMEOUT_MS]");
  process.exit(2);
}
const socket = connect({ host, port: Number(port), ...(localAddress ? { localAddress } : {}) });
const timer = setTimeout(
  () => {
    console.error(`connect.ts: no answer from [${host}]:${port} within ${timeout ?? "5000"} ms`);
    process.exit(1);
  },
  Number(timeout ?? 5000),
);
socket.on("connect", () => {
  clearTimeout(timer);
  process.stdin.pipe(socket).pipe(process.stdout);
});
socket.on("error", (e) => {
  console.error(`connect.ts: ${e.message}`);
  process.exit(1);
});
socket.on("close", () => process.exit(0));
