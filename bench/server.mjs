// The bench's server: answers every request with the spec's 200 body for Create Webhook Endpoint, on
// 127.0.0.1, in its own process so that its CPU does not count against the clients being measured.
// Prints its port on the first line of stdout and runs until its stdin closes.
import * as http from "node:http"
import { okBody } from "./body.mjs"

const body = okBody
const server = http.createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": body.length,
      "x-request-id": "req_bench"
    })
    res.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
process.stdin.resume()
process.stdin.on("end", () => process.exit(0))
