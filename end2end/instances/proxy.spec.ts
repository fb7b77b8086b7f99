import { expect, test } from "@playwright/test";
import * as http from "http";
import { PUBLIC_URL } from "../instances.config";
import { SANDBOX_URL } from "../playwright.config";
import { accessLog, buyerConsents, messagesArrive, newestCode, startFresh } from "./support";

// What nginx adds in front of the instances, with deploy/nginx.conf's own settings as
// scripts/instances.sh runs them: an access log that keeps paths only, and Divar's events URL
// open to Divar's addresses only (the sandbox's, 127.0.0.1, in this cluster).

test.beforeEach(async ({ request }) => startFresh(request));

test("nginx's access log keeps no query, landing id or tracking code", async ({ page, request }) => {
  // Every URL of Ersal's the browser asks for: the journey's carry each kind of secret.
  const asked: URL[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith(PUBLIC_URL)) asked.push(new URL(r.url()));
  });
  await buyerConsents(page);
  await messagesArrive(page, "seller", 1);
  const code = await newestCode(request);
  const tracking = (lines: string[]) => lines.filter((line) => line.includes('"GET /t/{id}"')).length;
  const trackedBefore = tracking(accessLog());
  await page.goto(`/t/${code}`);
  await page.goto(await page.locator("#tracking-link").inputValue());
  await expect(page.getByTestId("tracking-code")).toHaveText(code);

  const landing = asked.find((url) => url.pathname.startsWith("/l/"))!;
  const callback = asked.find((url) => url.pathname === "/oauth/callback")!;
  const link = asked.find((url) => url.pathname === `/t/${code}` && url.searchParams.has("k"))!;
  expect(landing, "the journey opened a landing link").toBeDefined();
  expect(callback, "and came back from Divar's consent").toBeDefined();
  expect(callback.searchParams.get("code"), "OAuth's callback had a code").toBeTruthy();
  expect(callback.searchParams.get("state"), "and a state").toBeTruthy();
  expect(link, "the tracking link was opened").toBeDefined();
  const secrets = [
    landing.pathname.slice("/l/".length),
    callback.searchParams.get("code")!,
    callback.searchParams.get("state")!,
    link.searchParams.get("k")!,
    code,
  ];

  // The whole log, this run's earlier journeys included: lines, each with its path only. nginx
  // writes a request's line once it has answered, so the last ones may take a moment.
  let lines: string[] = [];
  await expect(async () => {
    lines = accessLog();
    expect(lines.length).toBeGreaterThan(5);
    for (const wanted of ['"GET /l/{id}"', '"GET /oauth/callback"']) {
      expect(lines.some((line) => line.includes(wanted)), `a line has ${wanted}`).toBe(true);
    }
    // This test's two visits of the tracking page, the second with the link's key.
    expect(tracking(lines)).toBeGreaterThanOrEqual(trackedBefore + 2);
  }).toPass({ timeout: 5_000 });
  // Ersal's own request id beside nginx's, to find a line in an instance's log.
  expect(lines.filter((line) => /ersal_id=[0-9a-f]{32}$/.test(line)).length).toBeGreaterThan(5);
  for (const line of lines) {
    expect(line).not.toContain("?");
    expect(line).not.toMatch(/\b(k|code|state)=/);
    const path = /"[A-Z]+ (\S*)"/.exec(line)![1];
    if (path.startsWith("/l/")) expect(path).toBe("/l/{id}");
    if (path.startsWith("/t/")) expect(path).toBe("/t/{id}");
    for (const secret of secrets) expect(line).not.toContain(secret);
  }
});

/** POSTs `{}` to the events URL through nginx from `localAddress` (all of 127.0.0.0/8 is this
 *  host), without Divar's identification key: the answer's status. */
function postEvent(localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = http.request(
      `${PUBLIC_URL}/divar/events`,
      { method: "POST", localAddress, headers: { "content-type": "application/json" } },
      (answer) => {
        answer.resume();
        answer.on("end", () => resolve(answer.statusCode!));
      },
    );
    sent.on("error", reject);
    sent.end("{}");
  });
}

test("Divar's events URL: refused by nginx from an unlisted address; the sandbox's events arrive", async ({
  request,
}) => {
  // From 127.0.0.2, not on the list: nginx's 403, no instance asked.
  expect(await postEvent("127.0.0.2")).toBe(403);
  // From the listed address: through to Ersal, which wants Divar's key (401).
  expect(await postEvent("127.0.0.1")).toBe(401);
  // Their lines (nginx writes each once it has answered): no instance for the refused one.
  await expect(async () => {
    const events = accessLog().filter((line) => line.includes('"POST /divar/events"'));
    expect(events.slice(-2)).toEqual([
      expect.stringMatching(/" 403 .* upstream="-"/),
      expect.stringMatching(/" 401 .* upstream="127\.0\.0\.1:320[12]"/),
    ]);
  }).toPass({ timeout: 5_000 });

  // A user writes to the bot: the sandbox delivers the event from 127.0.0.1, Ersal stores it
  // (200) and the bot greets.
  await request.post(`${SANDBOX_URL}/bot/1`, { form: { text: "/start MY_DIVAR" }, maxRedirects: 0 });
  await expect(async () => {
    const { lines } = await (await request.get(`${SANDBOX_URL}/control/bot`)).json();
    expect(lines.some((line: any) => !line.from_user && line.text.includes("کد پیگیری"))).toBe(true);
  }).toPass({ timeout: 20_000 });
  const journal = await (await request.get(`${SANDBOX_URL}/control/journal`)).json();
  const delivered = journal.entries.filter((e: any) => e.direction === "out" && e.path.endsWith("/divar/events"));
  expect(delivered.map((e: any) => e.status)).toEqual([200]);
});
