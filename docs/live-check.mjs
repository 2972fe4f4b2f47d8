// Watches a dashboard page in headless Chromium through the DevTools protocol, once a second for SECONDS: prints
// the version of the data the page shows and its summary line, then every request the page made, and fails (exit 1)
// on a console error, an uncaught exception, a request to anything but loopback or data:, or a page that never
// changed. Started by docs/chromium-live-check.sh.
//   Usage: node --experimental-websocket docs/live-check.mjs DEVTOOLS_PORT URL SECONDS
const [port, url, seconds] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const target = await (await fetch(`http://127.0.0.1:${port}/json/new?about:blank`, { method: "PUT" })).json();
const socket = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });

let next = 0;
const pending = new Map(), requests = [], problems = [];
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.id !== undefined) {
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) call.reject(new Error(message.error.message)); else call.resolve(message.result);
    return;
  }
  const p = message.params;
  if (message.method === "Network.requestWillBeSent") requests.push(p.request.url);
  if (message.method === "Runtime.exceptionThrown") problems.push("exception: " + p.exceptionDetails.text);
  if (message.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "warning" || p.type === "assert"))
    problems.push("console " + p.type + ": " + p.args.map((a) => a.value ?? a.description).join(" "));
  if (message.method === "Log.entryAdded" && (p.entry.level === "error" || p.entry.level === "warning"))
    problems.push("log " + p.entry.level + ": " + p.entry.text + (p.entry.url ? " (" + p.entry.url + ")" : ""));
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++next;
  pending.set(id, { resolve, reject });
  socket.send(JSON.stringify({ id, method, params }));
});

for (const domain of ["Network", "Runtime", "Log", "Page"]) await send(domain + ".enable");
await send("Page.navigate", { url });
const look = `JSON.stringify({
  version: document.body ? document.body.getAttribute("data-version") : null,
  text: ((document.querySelector("#summary dl dd:nth-of-type(2)") || document.querySelector("#experiments tbody") || {}).innerText || "")
    .replace(/\\s+/g, " ").trim().slice(0, 100)
})`;
const versions = new Set(), texts = new Set();
for (let second = 1; second <= Number(seconds); second++) {
  await sleep(1000);
  const answer = await send("Runtime.evaluate", { expression: look, returnByValue: true });
  const seen = JSON.parse(answer.result.value);
  if (seen.version !== null) versions.add(seen.version);
  texts.add(seen.text);
  console.log(`${String(second).padStart(3)} s  version ${seen.version}  |  ${seen.text}`);
}
socket.close();

const local = requests.filter((u) => u.startsWith("http://127.0.0.1") || u.startsWith("data:"));
const outside = requests.filter((u) => !local.includes(u));
const counts = {};
for (const u of local) { const path = u.replace(/^http:\/\/127\.0\.0\.1:[0-9]+/, "").replace(/^data:.*/, "data:"); counts[path] = (counts[path] || 0) + 1; }
console.log("requests the page made:", JSON.stringify(counts));
console.log(`distinct versions shown: ${versions.size}, distinct summaries shown: ${texts.size}`);
if (outside.length) problems.push("requests outside loopback: " + outside.join(" "));
if (versions.size < 2 || texts.size < 2) problems.push("the page did not refresh");
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }
console.log("no console errors, no exceptions, no requests outside loopback; the page refreshed live");
