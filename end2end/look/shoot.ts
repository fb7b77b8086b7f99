import { Page, test } from "@playwright/test";
import * as path from "path";
import { SANDBOX_URL } from "../playwright.config";

// A page as a picture under target/screens/<project>/, and the touch targets smaller than
// 44 x 44 px on each of Ersal's pages (a control's own box, or its label's when it has one, as
// that is what a finger presses). A link inside a sentence is exempt, as in WCAG 2.5.8; the
// sandbox's pages play Divar and are not checked.
const MIN_TARGET = 44;
const small: string[] = [];

export async function shoot(page: Page, name: string) {
  const { project } = test.info();
  const shot = path.join(__dirname, "../../target/screens", project.name, `${name}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  if (page.url().startsWith(SANDBOX_URL)) return;
  const tiny = await page.evaluate((min) => {
    const found: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("a, button, input, select, textarea, summary")) {
      if (el.matches('input[type="hidden"]')) continue;
      const siblings = [...(el.parentElement?.childNodes ?? [])];
      const inSentence = siblings.some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (el.matches("a") && inSentence) continue;
      const label = el.closest("label") ?? (el.id ? document.querySelector(`label[for="${el.id}"]`) : null);
      const target = (el.matches('input[type="radio"], input[type="checkbox"]') && label) || el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.width < min || box.height < min) {
        const text = (target.textContent ?? "").trim().slice(0, 30) || el.getAttribute("name") || el.tagName;
        found.push(`${el.tagName.toLowerCase()} "${text}" ${Math.round(box.width)}x${Math.round(box.height)}`);
      }
    }
    return found;
  }, MIN_TARGET);
  small.push(...tiny.map((t) => `${project.name}/${name}: ${t}`));
}

/** Prints where the pictures are and the small touch targets found (call in `afterAll`). */
export function report() {
  const { project } = test.info();
  console.log(`screens: target/screens/${project.name}/`);
  console.log(small.length ? `touch targets under ${MIN_TARGET} px:\n  ${small.join("\n  ")}` : `no touch target under ${MIN_TARGET} px`);
  small.length = 0;
}
