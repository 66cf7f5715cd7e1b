// The whole-project migration to runpod 2.0 in real VS Code (run by drive.mjs when config.suite is
// "migrate_steps"): "Flash: Migrate Project to runpod 2.0" from the palette, the Refactor Preview
// confirmed and applied, then "Build with rp" from the notification it offers, up to the build's
// "finished" notification. The files on disk and the artifact are checked by the Python test.

/** Texts of the notification toasts shown now. */
async function toasts(page) {
  return page.locator('.notification-toast .notification-list-item-message').allInnerTexts().catch(() => []);
}

/** Polls the toasts until one matches `re` (a short-lived toast is still seen); returns all seen. */
async function waitForToast(page, re, timeout) {
  const seen = new Set();
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const t of await toasts(page)) seen.add(t.trim());
    const hit = [...seen].find((t) => re.test(t));
    if (hit) return { hit, seen: [...seen] };
    await page.waitForTimeout(200);
  }
  throw new Error(`no notification matching ${re} within ${timeout} ms; saw ${JSON.stringify([...seen])}`);
}

export async function run(h) {
  const { page, step, T, shot, config } = h;
  const name = config.project.split('/').pop();
  await step('workbench', () => h.openWorkbench(config.project));

  await step('migrateFromPreview', async () => {
    await h.quickOpen('worker.py');
    // the command is in the palette once the server runs (its first start may take a while)
    for (let attempt = 0; ; attempt++) {
      try {
        await h.runCommand('Flash: Migrate Project to runpod 2.0');
        break;
      } catch (e) {
        if (attempt === 5) throw e;
        await page.keyboard.press('Escape');
        await page.waitForTimeout(3000);
      }
    }
    // the edit's change annotation needs confirmation: VS Code opens the Refactor Preview
    const apply = page.locator('.monaco-button', { hasText: /^Apply$/ }).first();
    await apply.waitFor({ state: 'visible', timeout: T(30000) });
    const panel = page.locator('.pane-body, .panel', { has: page.locator('.monaco-list-row', { hasText: 'requirements.txt' }) }).last();
    await page.waitForTimeout(500);
    const rows = (await panel.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    await shot('migrate-preview');
    // changes that need confirmation start unchecked: confirm each file, then apply
    for (const file of ['requirements.txt', 'worker.py']) {
      const row = panel.locator('.monaco-list-row', { hasText: file }).first();
      await row.locator('input[type="checkbox"], [role="checkbox"], .monaco-checkbox').first().click();
    }
    await page.waitForTimeout(300);
    await shot('migrate-confirmed');
    await apply.click();
    const { hit } = await waitForToast(page, /migrated .* to runpod 2\.0/, T(30000));
    const dirtyTabs = await page.locator('.tabs-container .tab.dirty').allInnerTexts();
    await shot('migrated');
    return { previewRows: rows, notification: hit, dirtyTabs: dirtyTabs.map((t) => t.trim()) };
  });

  await step('buildWithRp', async () => {
    const toast = page.locator('.notification-toast', { hasText: /migrated .* to runpod 2\.0/ }).first();
    await toast.locator('.monaco-button', { hasText: 'Build with rp' }).click();
    const outputTail = async () =>
      (await h.text(page.locator('.panel .monaco-editor .view-lines').first()).catch(() => '')).split('\n').filter((s) => s.trim()).slice(-12);
    let found;
    try {
      found = await waitForToast(page, new RegExp(`Flash: build of ${name} (finished|failed)|Flash build failed|Flash: .*failed`), T(300000));
    } catch (e) {
      throw new Error(`${e.message}; output: ${JSON.stringify(await outputTail())}`);
    }
    await shot('rp-build');
    return { finished: found.hit, seen: found.seen, output: await outputTail() };
  });
}
