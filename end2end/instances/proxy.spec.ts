import { expect, test } from "@playwright/test";
import { PUBLIC_URL } from "../instances.config";
import { accessLog, buyerConsents, messagesArrive, newestCode, startFresh } from "./support";

// What nginx adds in front of the instances, with deploy/nginx.conf's own settings as
// scripts/instances.sh runs them: an access log that keeps paths only.

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
