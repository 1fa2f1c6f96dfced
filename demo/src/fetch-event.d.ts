// The service-worker `fetch` event StarlingMonkey dispatches for each wasi:http request;
// declared here because neither the DOM nor Node's type libraries have it.
interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}

declare function addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
