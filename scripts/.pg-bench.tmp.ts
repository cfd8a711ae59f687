import path from "node:path";
import { startEmbeddedPostgres } from "/work/main/scripts/lib/embedded-postgres";
const server = await startEmbeddedPostgres({ dataDir: path.join("/work/main/bench-data", "postgres"), port: 55432, log: console.log });
console.log("URL", server.url("postgres"));
process.on("SIGTERM", async () => { await server.stop(); process.exit(0); });
setInterval(() => {}, 1 << 30);
