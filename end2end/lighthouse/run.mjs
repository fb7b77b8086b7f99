// Lighthouse on the release build (`make lighthouse`; not part of `make test`): starts the Divar
// sandbox and Ersal (fresh SQLite database under target/lighthouse), walks a buyer's session to
// each step with plain form posts, and runs npm's lighthouse (mobile preset: simulated slow 4G,
// 4x CPU slowdown) in Debian's Chromium on every page. Prints one line per page: performance,
// accessibility, best practices, LCP, TBT and bytes transferred; the JSON reports stay in
// target/lighthouse/. Run it on a quiet machine: the scores follow the CPU.
//
//   RUNS=3 make lighthouse   each page RUNS times (default 1); the median of each figure
//   PAGES=item,quote make lighthouse   only those pages
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const out = join(root, "target/lighthouse");
const ERSAL = "http://127.0.0.1:3400";
const SANDBOX_ADDR = "127.0.0.1:3500";
const KEY = "lighthouse-identification-key-000";
const RUNS = Number(process.env.RUNS ?? 1);
const PAGES = process.env.PAGES?.split(",");
const TARGETS = "targets: performance >= 98, accessibility 100, best practices 100, LCP <= 1.5 s";

const env = {
  ...process.env,
  ERSAL_MODE: "dev",
  DATABASE_URL: `sqlite://${out}/ersal.db`,
  DIVAR_IDENTIFICATION_KEYS: KEY,
  ERSAL_PUBLIC_URL: ERSAL,
  LEPTOS_SITE_ADDR: ERSAL.replace("http://", ""),
  DIVAR_SANDBOX_ADDR: SANDBOX_ADDR,
  ERSAL_RATE_LIMITS: "fallback=1000,landing=1000,login=1000,functions=10000,pages=10000",
  RUST_LOG: "warn",
};

const servers = [];
function start(binary) {
  const child = spawn(join(root, "target/release", binary), [], { cwd: root, env, stdio: "ignore" });
  servers.push(child);
}
function stopAll() {
  for (const child of servers) child.kill("SIGTERM");
}
process.on("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

async function ready(url) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within 30 s`);
}

/** A browser session from Divar's init call: its cookie, on the first step. */
async function session(overrides) {
  const init = await fetch(`${ERSAL}/divar/init`, {
    method: "POST",
    headers: { Authorization: KEY, API_VERSION: "2", "content-type": "application/json" },
    body: JSON.stringify({
      source: "CHAT",
      post_token: "QpR7x2Lm",
      user_side: "Demand",
      extra_data: {},
      ...overrides,
    }),
  });
  if (!init.ok) throw new Error(`init answered ${init.status}`);
  const landing = await fetch((await init.json()).url, { redirect: "manual" });
  const cookie = landing.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("the landing URL set no cookie");
  return cookie;
}

/** Posts a step's form as a browser without JavaScript does; returns where it leads. */
async function step(cookie, endpoint, fields) {
  const reply = await fetch(`${ERSAL}/api/flow/${endpoint}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  const location = reply.headers.get("location");
  if (reply.status < 300 || reply.status > 399 || !location) {
    throw new Error(`${endpoint} answered ${reply.status}`);
  }
  return location;
}

const ITEM = {
  "form[description]": "گوشی سامسونگ A54",
  "form[size_class]": "small",
  "form[weight_kg]": "۰٫۸",
  "form[declared_value]": "۱۸٬۵۰۰٬۰۰۰",
};
const PARTY = {
  "form[name]": "علی محمدی",
  "form[mobile]": "۰۹۳۵ ۱۲۳ ۴۵۶۷",
  "form[city]": "isfahan",
  "form[address]": "خیابان چهارباغ، کوچهٔ گلستان",
  "form[handover]": "door",
};
const SUBMIT = {
  "form[other_city]": "tehran",
  "form[service]": "economy",
  "form[payer]": "receiver",
  "form[consent]": "1",
  "form[intent]": "submit",
};

/** Every page a user sees, each with the cookie that shows it (a page Lighthouse opens afresh). */
async function pages() {
  const role = await session({ user_side: null, conversation_id: null });
  const item = await session({ conversation_id: null });
  const party = await session({ conversation_id: null });
  await step(party, "item", ITEM);
  const quote = await session({ conversation_id: null });
  await step(quote, "item", ITEM);
  await step(quote, "party", PARTY);
  const done = await session({ conversation_id: null });
  await step(done, "item", ITEM);
  await step(done, "party", PARTY);
  const tracking = await step(done, "quote", SUBMIT);
  if (!/^\/t\/[2-9A-HJ-NP-Z]{10}$/.test(tracking)) throw new Error(`submit led to ${tracking}`);
  return [
    ["home", "/", null],
    ["privacy", "/privacy", null],
    ["role", "/request", role],
    ["item", "/request?step=item", item],
    ["party", "/request?step=party", party],
    ["quote", "/request?step=quote", quote],
    ["tracking", tracking, done],
  ];
}

function lighthouse(name, path, cookie, run) {
  const report = join(out, `${name}-${run}.json`);
  const args = [
    `${ERSAL}${path}`,
    "--quiet",
    "--output=json",
    `--output-path=${report}`,
    "--only-categories=performance,accessibility,best-practices",
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
  ];
  if (cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
  execFileSync(join(dirname(fileURLToPath(import.meta.url)), "node_modules/.bin/lighthouse"), args, {
    env: { ...process.env, CHROME_PATH: "/usr/bin/chromium" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const lhr = JSON.parse(readFileSync(report, "utf8"));
  const score = (c) => Math.round(lhr.categories[c].score * 100);
  const audit = (a) => lhr.audits[a].numericValue;
  const failed = Object.values(lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
    .map((a) => a.id);
  return {
    performance: score("performance"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    lcp: audit("largest-contentful-paint"),
    tbt: audit("total-blocking-time"),
    bytes: audit("total-byte-weight"),
    failed,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
start("divar-sandbox");
start("ersal");
await ready(`http://${SANDBOX_ADDR}/`);
await ready(`${ERSAL}/healthz`);

console.log(`lighthouse ${RUNS === 1 ? "" : `(median of ${RUNS} runs) `}on ${ERSAL}; ${TARGETS}`);
console.log("page      perf  a11y  bp   LCP s  TBT ms  KB    audits not passed");
for (const [name, path, cookie] of await pages()) {
  if (PAGES && !PAGES.includes(name)) continue;
  const runs = [];
  for (let run = 1; run <= RUNS; run++) runs.push(lighthouse(name, path, cookie, run));
  const m = (key) => median(runs.map((r) => r[key]));
  const failed = [...new Set(runs.flatMap((r) => r.failed))].join(" ") || "-";
  console.log(
    [
      name.padEnd(9),
      String(m("performance")).padStart(4),
      String(m("accessibility")).padStart(5),
      String(m("bestPractices")).padStart(4),
      (m("lcp") / 1000).toFixed(2).padStart(6),
      String(Math.round(m("tbt"))).padStart(7),
      (m("bytes") / 1024).toFixed(1).padStart(5),
      "",
      failed,
    ].join(" "),
  );
}
// The servers are children of this process and would keep it alive.
process.exit(0);
