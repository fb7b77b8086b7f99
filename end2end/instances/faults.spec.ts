import { APIRequestContext, expect, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { fillBuyerSteps } from "../tests/helpers";
import {
  answers,
  buyerConsents,
  chat,
  chatRecord,
  CONFIRM,
  harness,
  Instance,
  instanceNamed,
  instanceWithRequest,
  INSTANCES,
  messagesArrive,
  pid,
  resume,
  sellerReachesConfirmation,
  startFresh,
  sql,
} from "./support";

// Faults with two instances on one PostgreSQL: an instance killed with a chat message in hand,
// an instance killed with a confirmation or a page in flight, and PostgreSQL stopped
// mid-journey. Nothing is sent twice, no shipment is lost or doubled, the users read Persian, and Ersal recovers
// without a restart. Each test leaves both instances running. Without JavaScript, so that every
// step is a whole page and an outage's answer is what the user sees.

test.use({ javaScriptEnabled: false });

test.beforeEach(async ({ request }) => startFresh(request));

// Paused instances go on; killed ones start again (an instance still listening is left alone).
test.afterEach(() => {
  harness("resume");
  INSTANCES.forEach((name) => harness("revive", name));
});

test("kill -9 the instance sending a message: the other settles it, nothing is sent twice", async ({
  page,
  request,
}) => {
  // Divar posts the message at once but answers only after 15 s: the sender dies meanwhile.
  await request.post(`${SANDBOX_URL}/control/faults`, {
    data: { target: "send_message", kind: "slow_answer", count: 1, delay_ms: 15_000 },
  });
  await buyerConsents(page);
  let claimer = "";
  await expect(async () => {
    claimer = sql("select claimed_by from outbox where state = 'pending' and attempt_started_at is not null");
    expect(claimer).not.toBe("");
  }).toPass({ timeout: 10_000 });
  const sender: Instance = instanceNamed(claimer);
  harness("kill", sender);

  // Once the lease runs out, the survivor marks it "may have been sent" and never resends it.
  await expect(async () => {
    expect(sql("select state from outbox order by id limit 1")).toBe("unknown");
  }).toPass({ timeout: 60_000 });
  expect(sql("select count(*) from outbox where claimed_by is not null")).toBe("0");

  // The journey goes on, the dead instance started again (as systemd restarts it: until nginx
  // counts it failed, a landing link sent to it would get nginx's page, never a second try).
  // The next message is sent once.
  harness("revive", sender);
  await messagesArrive(page, "seller", 1);
  await sellerReachesConfirmation(page);
  await page.getByRole("button", { name: CONFIRM }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  await messagesArrive(page, "buyer", 2);
  await page.waitForTimeout(1_000);
  const { texts } = await chatRecord(request);
  expect(texts).toHaveLength(2);
  expect(new Set(texts).size).toBe(2);
  expect(sql("select count(*) from shipments")).toBe("1");
});

test("an instance dies before reading a confirmation: nginx's Persian page, not resent, one shipment", async ({
  page,
  request,
}) => {
  await buyerConsents(page);
  await messagesArrive(page, "seller", 1);
  await sellerReachesConfirmation(page);
  const shipments = sql("select count(*) from shipments");

  // Both instances stop answering; the confirmation reaches one of them and waits there, unread.
  INSTANCES.forEach((name) => harness("pause", name));
  const answer = page.waitForResponse((response) => response.request().method() === "POST");
  const confirmed = page.getByRole("button", { name: CONFIRM }).click();
  const holder = await killTheHolder();
  await confirmed;

  // nginx could not get an answer and does not resend a POST elsewhere: its own page, in Persian.
  expect((await answer).status()).toBe(502);
  await expect(page.getByRole("heading", { name: "خطای موقت" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");

  // The seller tries again from the chat, the dead instance started again: confirmed once,
  // announced once.
  harness("revive", holder);
  await sellerReachesConfirmation(page);
  await page.getByRole("button", { name: CONFIRM }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  await messagesArrive(page, "buyer", 2);
  expect(sql("select count(*) from shipments")).toBe(shipments);
  expect(sql("select status from shipments")).toBe("booked");
  const { texts, sends } = await chatRecord(request);
  expect(new Set(texts).size).toBe(2);
  expect(sends).toEqual([200, 200]);
});

/** With both instances paused, waits for the one nginx sent a request to, kills it and
 *  resumes the other: the killed one's name. */
async function killTheHolder(): Promise<Instance> {
  let holder: Instance | undefined;
  await expect(async () => {
    holder = instanceWithRequest();
    expect(holder).toBeDefined();
  }).toPass({ timeout: 10_000 });
  harness("kill", holder!);
  INSTANCES.filter((name) => name !== holder).forEach(resume);
  return holder!;
}

/** GETs `path` while both instances are paused, kills the one nginx sent it to, resumes the
 *  other and starts the killed one again: nginx's answer's status. */
async function getThroughDeath(request: APIRequestContext, path: string): Promise<number> {
  INSTANCES.forEach((name) => harness("pause", name));
  const answer = request.get(path, { maxRedirects: 0 });
  const holder = await killTheHolder();
  const status = (await answer).status();
  harness("revive", holder);
  return status;
}

test("an instance dies holding a GET: a page is asked of the other, a single-use link never", async ({
  request,
}) => {
  // An ordinary page: nginx asks the other instance.
  expect(await getThroughDeath(request, "/privacy")).toBe(200);
  // A landing id and OAuth's callback may have been used up by the dead one: nginx's page
  // (502), never a second try that the survivor would refuse.
  expect(await getThroughDeath(request, "/l/AAAAAAAAAAAAAAAAAAAAAAAA")).toBe(502);
  expect(await getThroughDeath(request, "/oauth/callback?code=ory_ac_x&state=x")).toBe(502);
});

test("PostgreSQL stops mid-journey: a Persian error page, then the journey goes on", async ({
  page,
  request,
}) => {
  const pids = INSTANCES.map(pid);
  await page.goto(chat("buyer"));
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await expect(page).toHaveURL(/\/request/);

  harness("db-down");
  try {
    // Ersal's own answer (nginx would say 502 or 504).
    expect((await page.reload())!.status()).toBe(503);
    await expect(page.getByRole("heading", { name: "خطای موقت" })).toBeVisible();
    expect((await request.get("/readyz")).status()).toBe(503);
  } finally {
    harness("db-up");
  }

  // No restart: the same processes, each of them, answer as soon as the database is back.
  await expect(async () => expect(INSTANCES.every(answers)).toBe(true)).toPass({ timeout: 20_000 });
  expect(INSTANCES.map(pid)).toEqual(pids);
  await page.reload();
  await fillBuyerSteps(page);
  await page.getByRole("button", { name: "ثبت درخواست" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  await messagesArrive(page, "buyer", 1);
  const { sends } = await chatRecord(request);
  expect(sends).toEqual([200]);
});
