import { APIRequestContext, expect, Page } from "@playwright/test";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SANDBOX_URL } from "../playwright.config";
import { CONVERSATION, createOperator as createOperatorIn, fillBuyerSteps } from "../tests/helpers";

// What the two-instance journeys share: the harness's commands, the database and the logs.

const ROOT = path.join(__dirname, "../..");
const DIR = path.join(ROOT, "target/instances");

export type Instance = "a" | "b";
export const INSTANCES: Instance[] = ["a", "b"];

/** Runs `scripts/instances.sh <args>` (kill, pause, revive, db-down, db-up). */
export function harness(...args: string[]) {
  execFileSync("scripts/instances.sh", args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

export function resume(name: Instance) {
  process.kill(pid(name), "SIGCONT");
}

/** Whether instance `name`, on its own port, is ready: it answers, and so does its database. */
export function answers(name: Instance): boolean {
  try {
    execFileSync("curl", ["-sf", "-m", "2", `http://127.0.0.1:${PORTS[name]}/readyz`]);
    return true;
  } catch {
    return false;
  }
}

/** As scripts/instances.sh assigns them. */
const PORTS: Record<Instance, string> = { a: "3201", b: "3202" };

export function pid(name: Instance): number {
  return Number(fs.readFileSync(path.join(DIR, `${name}.pid`), "utf8").trim());
}

/** One value from the shared PostgreSQL database (`psql`), as text; "" for no row. */
export function sql(query: string): string {
  return execFileSync("psql", [databaseUrl(), "-Atqc", query], { encoding: "utf8" }).trim();
}

export function log(name: Instance): string {
  return fs.readFileSync(path.join(DIR, `${name}.log`), "utf8");
}

/** nginx's access log (deploy/nginx.conf's format), one entry per line. */
export function accessLog(): string[] {
  return fs.readFileSync(path.join(DIR, "nginx/access.log"), "utf8").split("\n").filter((line) => line !== "");
}

/** How many requests nginx's access log says instance `name` answered (Ersal itself logs
 *  only errors, refusals and slow answers). */
export function answered(name: Instance): number {
  const upstream = `upstream="127.0.0.1:${PORTS[name]}"`;
  return accessLog().filter((line) => line.includes(upstream)).length;
}

/** The instance whose process claims outbox rows as `claimer` (each logs its name at start). */
export function instanceNamed(claimer: string): Instance {
  const owner = INSTANCES.find((name) => log(name).includes(`instance=${claimer}`));
  expect(owner, `an instance logged the name ${claimer}`).toBeDefined();
  return owner!;
}

/** The instance holding an established connection from nginx on its port, if any. */
export function instanceWithRequest(): Instance | undefined {
  return INSTANCES.find((name) => {
    const out = execFileSync("ss", ["-Htn", "state", "established", `( sport = :${PORTS[name]} )`], {
      encoding: "utf8",
    });
    return out.trim().length > 0;
  });
}

/** A fresh start for a test: the sandbox's world reset, and no shipment, session or chat
 *  message left in the shared database by an earlier test (the operators stay). */
export async function startFresh(request: APIRequestContext) {
  await request.post(`${SANDBOX_URL}/control/reset`);
  sql(
    "truncate shipments, shipment_events, outbox, chat_tokens, oauth_states, drafts, browser_sessions, landing_sessions, audit cascade",
  );
}

/** Adds a console operator with `ersal operator add`, on the shared database. */
export function createOperator(username: string) {
  createOperatorIn(username, databaseUrl());
}

function databaseUrl(): string {
  return fs.readFileSync(path.join(ROOT, "target/postgres/url"), "utf8").trim();
}

export const chat = (side: "buyer" | "seller") => `${SANDBOX_URL}/chat/${CONVERSATION}?as=${side}`;

/** Reloads a sandbox chat page until it shows `count` messages from Ersal. */
export async function messagesArrive(page: Page, side: "buyer" | "seller", count: number, timeout = 20_000) {
  await expect(async () => {
    await page.goto(chat(side));
    await expect(page.getByTestId("message")).toHaveCount(count, { timeout: 500 });
  }).toPass({ timeout });
}

/** Every message the sandbox's chat holds (its texts), and every send-message call's status. */
export async function chatRecord(request: APIRequestContext): Promise<{ texts: string[]; sends: number[] }> {
  const messages = await (await request.get(`${SANDBOX_URL}/control/messages`)).json();
  const journal = await (await request.get(`${SANDBOX_URL}/control/journal`)).json();
  return {
    texts: messages.messages.map((m: any) => m.text),
    sends: journal.entries
      .filter((e: any) => e.direction === "in" && /\/v2\/open-platform\/conversations\/.*\/messages$/.test(e.path))
      .map((e: any) => e.status),
  };
}

/** The buyer opens Ersal from the chat, submits and gives consent. */
export async function buyerConsents(page: Page) {
  await page.goto(chat("buyer"));
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await fillBuyerSteps(page);
  await page.getByRole("button", { name: "ثبت درخواست" }).click();
  await expect(page.getByTestId("scopes")).toContainText(CONVERSATION);
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
}

/** The seller opens the buyer's message and fills their side, up to the final confirmation. */
export async function sellerReachesConfirmation(page: Page) {
  await page.goto(chat("seller"));
  await page.getByRole("button", { name: "تکمیل مشخصات" }).click();
  await page.getByLabel("نام و نام خانوادگی").fill("مریم رضایی");
  await page.getByLabel("شمارهٔ همراه").fill("09121234567");
  await page.getByLabel("شهر", { exact: true }).selectOption("tehran");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان ولیعصر، کوچهٔ نهم");
  await page.getByLabel("خودم به شعبه می‌برم").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByTestId("final-total")).toHaveText("۲۱۱٬۷۵۰ تومان");
}

export const CONFIRM = "تأیید و ثبت ارسال";

/** The tracking code in the chat's newest message. */
export async function newestCode(request: APIRequestContext): Promise<string> {
  const { texts } = await chatRecord(request);
  return /([2-9A-HJ-NP-Z]{10})\s*$/.exec(texts[texts.length - 1])![1];
}
