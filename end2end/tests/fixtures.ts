import { test as base } from "@playwright/test";

/** The `test` of every spec: in a project whose metadata says `noWasm`, WebAssembly is removed
 *  before any page script runs, as on a WebView that cannot run modern WASM (Android 5). */
export const test = base.extend<{ withoutWasm: void }>({
  withoutWasm: [
    async ({ page }, use, testInfo) => {
      if (testInfo.project.metadata?.noWasm) {
        await page.addInitScript(() => {
          delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
        });
      }
      await use();
    },
    { auto: true },
  ],
});

export { expect } from "@playwright/test";
