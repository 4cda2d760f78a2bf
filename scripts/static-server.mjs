// `node scripts/static-server.mjs DIR PORT`: serves DIR on http://127.0.0.1:PORT/ until stopped
// (scripts/serve's server; the same one the end-to-end tests and the benchmark use).
import { resolve } from "node:path";
import { serveDist } from "./serve-dist.mjs";

const [dir = "dist", port = "8080"] = process.argv.slice(2);
if (!/^\d+$/.test(port) || Number(port) > 65535) {
  console.error(`GENLAB_PORT must be a port number (0 … 65535), got ${JSON.stringify(port)}`);
  process.exit(2);
}
const server = await serveDist(resolve(dir), Number(port));
console.log(`GenLab is served on ${server.origin}/ (Ctrl-C stops it)`);
