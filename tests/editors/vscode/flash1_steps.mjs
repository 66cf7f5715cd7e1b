// runpod-flash 1.x editor checks in real VS Code (run by drive.mjs when config.suite is
// "flash1_steps"): GpuType member completion, an invented keyword with its "did you mean" fix,
// the free-variable warning with its move-import fix, and renaming an endpoint.

async function gotoPosition(h, file, line, col) {
  await h.quickOpen(file);
  await h.page.locator('.editor-group-container.active .view-lines').first().click();
  await h.page.keyboard.press('Control+G');
  await h.page.keyboard.type(`${line}:${col}`);
  await h.page.keyboard.press('Enter');
  await h.page.waitForTimeout(300);
}

/** The active editor's visible lines in line order (Monaco reuses line elements out of order). */
async function activeText(h) {
  return h.page.locator('.editor-group-container.active .view-lines').first().evaluate((el) =>
    [...el.querySelectorAll('.view-line')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => line.textContent.replace(/\u00a0/g, ' '))
      .join('\n'));
}

/** Open the quick-fix menu at the cursor and run the action titled `title`. */
async function quickFix(h, title) {
  const { page, T } = h;
  const row = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.keyboard.press('Control+.');
    try {
      await row.waitFor({ state: 'visible', timeout: T(6000) });
      break;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (attempt === 3) throw e;
      await page.waitForTimeout(2000); // the analysis may still be running
    }
  }
  const titles = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
  // the menu animates in (a click waits for it to settle): pick the row with the keyboard
  const focused = page.locator('.action-widget .monaco-list-row.focused', { hasText: title });
  for (let i = 0; i < titles.length + 2 && !(await focused.count()); i++) {
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(150);
  }
  await page.keyboard.press('Enter');
  await page.waitForTimeout(800);
  return titles.map((t) => t.trim()).filter(Boolean);
}

export async function run(h) {
  const { page, step, T, shot, config } = h;
  await step('workbench', () => h.openWorkbench(config.project));

  await step('invalidKeyword', async () => {
    await h.quickOpen('worker.py');
    await page.keyboard.press('Control+Shift+M');
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'FL441' }).first();
    await marker.waitFor({ timeout: T(120000) });
    const problem = (await marker.innerText()).split('\n').filter((s) => s.trim());
    await gotoPosition(h, 'worker.py', 8, 55); // inside idle_timout
    const titles = await quickFix(h, "Did you mean 'idle_timeout'?");
    const after = await activeText(h);
    await shot('invalid-keyword-fixed');
    return { problem, titles, fixed: /idle_timeout=30/.test(after) && !/idle_timout/.test(after) };
  });

  await step('renameEndpoint', async () => {
    await gotoPosition(h, 'worker.py', 8, 18); // inside name="summarize"
    await page.keyboard.press('F2');
    const input = page.locator('.rename-box input, .rename-box textarea').first();
    await input.waitFor({ state: 'visible', timeout: T(10000) });
    await input.fill('condense');
    await page.keyboard.press('Enter');
    // the edit needs confirmation: VS Code opens the refactor preview
    const apply = page.locator('.monaco-button', { hasText: /^Apply$/ }).first();
    await apply.waitFor({ state: 'visible', timeout: T(15000) });
    await shot('rename-preview');
    // changes that need confirmation start unchecked: confirm each file, then apply
    const panel = page.locator('.pane-body, .panel', { has: page.locator('.monaco-list-row', { hasText: 'pipeline.py' }) }).last();
    for (const file of ['pipeline.py', 'worker.py']) {
      const row = panel.locator('.monaco-list-row', { hasText: file }).first();
      await row.locator('input[type="checkbox"], [role="checkbox"], .monaco-checkbox').first().click();
    }
    await page.waitForTimeout(300);
    await shot('rename-confirmed');
    await apply.click();
    await page.waitForTimeout(1000);
    await h.quickOpen('worker.py');
    const worker = await activeText(h);
    await h.quickOpen('pipeline.py');
    const pipeline = await activeText(h);
    const toasts = await page.locator('.notification-toast .notification-list-item-message').allInnerTexts().catch(() => []);
    await shot('renamed');
    return { worker: worker.split('\n'), pipeline: pipeline.split('\n'), toasts };
  });

  await step('freeVariable', async () => {
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'FL446' }).first();
    await marker.waitFor({ timeout: T(30000) });
    const problem = (await marker.innerText()).split('\n').filter((s) => s.trim());
    await gotoPosition(h, 'worker.py', 9, 14); // the function name
    const titles = await quickFix(h, 'Move `import json` into the function body');
    const after = await activeText(h);
    await shot('free-variable-fixed');
    return { problem, titles, lines: after.split('\n') };
  });

  await step('gpuTypeCompletion', async () => {
    await gotoPosition(h, 'pipeline.py', 4, 15); // right after "GpuType."
    await page.keyboard.press('Control+Space');
    const rows = page.locator('.suggest-widget .monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: T(15000) });
    await page.waitForTimeout(500);
    const labels = await page.locator('.suggest-widget .monaco-list-row .label-name').allInnerTexts();
    await shot('gpu-type-completion');
    await page.keyboard.press('Escape');
    return { labels: labels.map((l) => l.trim()) };
  });
}
