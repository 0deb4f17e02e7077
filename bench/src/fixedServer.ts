/**
 * A minimal loopback server for the client-overhead benchmark, run as a child process so its CPU
 * does not share the clients' event loop. It answers `GET /v1/patients/:id` with the same fixed
 * PatientV1 wire JSON for every client, anything else with 404. It tells its parent the port over
 * IPC, answers `{ type: "cpu" }` with its own `process.cpuUsage()` and exits when the parent
 * disconnects.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const body = fs.readFileSync(new URL("./fixtures/patient-v1.json", import.meta.url))
const headers = {
  "content-type": "application/json; charset=utf-8",
  "content-length": String(body.length)
}
const notFound = Buffer.from(JSON.stringify({ error: true, statusCode: 404, message: "Not found" }))

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.method === "GET" && req.url !== undefined && /^\/v1\/patients\/[^/?]+$/.test(req.url)) {
    res.writeHead(200, headers)
    res.end(body)
  } else {
    res.writeHead(404, { "content-type": "application/json", "content-length": String(notFound.length) })
    res.end(notFound)
  }
})
server.keepAliveTimeout = 60_000

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo
  process.send?.({ port })
})
process.on("message", (message: { readonly type?: string }) => {
  if (message.type === "cpu") process.send?.({ type: "cpu", ...process.cpuUsage() })
})
process.on("disconnect", () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
