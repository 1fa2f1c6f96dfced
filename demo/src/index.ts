// The demo's Spin HTTP component. StarlingMonkey (the JavaScript engine componentize-js
// embeds) turns each wasi:http request into a service-worker style `fetch` event.
import { MESSAGE } from "./message.ts";

function handle(request: Request): Response {
  const path = new URL(request.url).pathname;
  if (request.method !== "GET" && request.method !== "HEAD")
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  if (path !== "/") return new Response("not found\n", { status: 404 });
  return new Response(MESSAGE, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
}

addEventListener("fetch", (event: FetchEvent) => {
  event.respondWith(handle(event.request));
});
