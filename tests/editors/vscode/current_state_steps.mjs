// Steps of drive.mjs that check that what the editor shows is current: a project found when its
// folder opens (no file opened), a problem gone once the ignore file fixes it, the report of the
// package just made rather than the earlier prediction. `h` holds drive.mjs's helpers.
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import zlib from 'node:zlib';

/** Rows of the Problems panel (opened first). */
async function problems(h) {
  await h.page.keyboard.press('Escape');
  await h.page.keyboard.press('Control+Shift+M');
  return h.page.locator('.markers-panel .monaco-list-row');
}

/** The first heading of every Markdown preview on screen. */
async function previewHeadings(h) {
  const frames = h.page.locator('iframe.webview.ready');
  const out = [];
  for (let i = 0; i < (await frames.count()); i++) {
    const heading = h.page.frameLocator('iframe.webview.ready').nth(i).frameLocator('iframe#active-frame').locator('h1').first();
    try {
      out.push((await heading.innerText({ timeout: h.T(3000) })).trim());
    } catch {}
  }
  return out;
}

/** Polls the preview headings until one matches `re` (returns them all either way). */
async function headingsUntil(h, re, ms) {
  const deadline = Date.now() + h.T(ms);
  let headings = [];
  while (Date.now() < deadline) {
    headings = await previewHeadings(h);
    if (headings.some((t) => re.test(t))) break;
    await h.page.waitForTimeout(300);
  }
  return headings;
}

/** A folder whose Flash project sits three levels down: its endpoints and problems, nothing opened. */
export async function deepProjectSteps(h, folder) {
  let loaded = Date.now();
  await h.step('deepWorkbench', async () => {
    await h.openWorkbench(folder);
    loaded = Date.now();
  });
  await h.step('deepProject', async () => {
    const { page, T } = h;
    // the Problems panel first: the extension must start for the folder itself (showing the Flash
    // view would start it too)
    const rows = await problems(h);
    await rows.filter({ hasText: 'missing_cfg' }).first().waitFor({ timeout: T(60000) });
    const problemSeconds = (Date.now() - loaded) / 1000;
    await page.locator('.activitybar .action-item a[aria-label^="Flash"]').first().click();
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Endpoints' }) }).first();
    await view.locator('.monaco-list-row', { hasText: 'infer' }).first().waitFor({ timeout: T(30000) });
    const treeSeconds = (Date.now() - loaded) / 1000;
    const tree = await view.locator('.monaco-list-row').allInnerTexts();
    await page.waitForTimeout(500);
    await h.shot('project-found-on-open');
    return {
      treeSeconds,
      problemSeconds,
      tree: tree.map((r) => r.replace(/\n/g, ' ')),
      problems: await rows.allInnerTexts(),
      tabs: await page.locator('.tabs-container .tab').allInnerTexts(),
    };
  });
}

/** Before `Flash: Package`: the report shown is the prediction. */
export async function predictedReportStep(h) {
  await h.step('reportBeforePackage', async () => {
    await h.runCommand('Flash: Show Package Report');
    await h.page.locator('.tabs-container .tab', { hasText: 'package-report-predicted.md' }).first().waitFor({ timeout: h.T(15000) });
    return { headings: await headingsUntil(h, /predicted/, 15000) };
  });
}

/** After `Flash: Package` (the predicted report still open): the real report, in the tab and on request. */
export async function realReportSteps(h) {
  await h.step('reportAfterPackage', async () => {
    const shown = await headingsUntil(h, /^Package report: /, 15000);
    await h.page.waitForTimeout(500);
    await h.shot('package-report-real');
    await h.runCommand('View: Close All Editors');
    await h.page.waitForTimeout(500);
    await h.runCommand('Flash: Show Package Report');
    const tab = h.page.locator('.tabs-container .tab', { hasText: 'package-report' }).first();
    await tab.waitFor({ timeout: h.T(15000) });
    const again = await headingsUntil(h, /^Package report: /, 15000);
    return { shown, again, tab: (await tab.innerText()).trim() };
  });
}

/** FL601 on a key under .venv/ goes when .venv/ is added to .flashignore in the editor. */
export async function ignoreFixStep(h, folder) {
  await h.step('ignoreFix', async () => {
    const { page, T } = h;
    const key = path.join(folder, '.venv', 'lib', 'python3.11', 'site-packages', 'pkg', 'server.key');
    fs.mkdirSync(path.dirname(key), { recursive: true });
    fs.writeFileSync(key, '-----BEGIN PRIVATE KEY-----\n');
    fs.writeFileSync(path.join(folder, '.flashignore'), '# keep local files out of the archive\n');
    const rows = await problems(h);
    await rows.filter({ hasText: 'server.key' }).first().waitFor({ timeout: T(30000) });
    const before = await rows.allInnerTexts();
    for (let attempt = 0; ; attempt++) {
      try {
        await h.quickOpen('.flashignore'); // a file just created may take a moment to be found
        break;
      } catch (e) {
        if (attempt === 2) throw e;
        await page.keyboard.press('Escape');
        await page.waitForTimeout(2000);
      }
    }
    await h.typeAt(h.editorWith('keep local files'), '2:1', '.venv/');
    await page.keyboard.press('Control+S');
    const saved = Date.now();
    await problems(h);
    await rows.filter({ hasText: 'server.key' }).first().waitFor({ state: 'detached', timeout: T(20000) });
    const seconds = (Date.now() - saved) / 1000;
    await page.waitForTimeout(500);
    await h.shot('ignore-fix');
    return { before, after: await rows.allInnerTexts(), seconds };
  });
}

/** A second `Flash: Build` while one runs is refused and writes nothing into the running build's output. */
export async function refusedBuildStep(h) {
  await h.step('refusedBuild', async () => {
    const { page, T } = h;
    await h.quickOpen('workers/gpu/endpoint.py');
    await h.runCommand('Flash: Build');
    await h.runCommand('Flash: Build');
    const refused = page.locator('.notification-toast', { hasText: 'already running' }).first();
    await refused.waitFor({ timeout: T(20000) });
    const finished = page.locator('.notification-toast', { hasText: /Flash: build of tiny (finished|failed|cancelled)/ }).first();
    await finished.waitFor({ timeout: T(240000) });
    await page.waitForTimeout(800);
    await h.shot('refused-build'); // the Flash channel (its whole text is checked in its log file)
    return { refused: (await refused.innerText()).trim(), finished: (await finished.innerText()).trim() };
  });
}

/** Records every notification message from now on (the first start's progress comes and goes). */
export async function recordNotifications(h) {
  await h.page.evaluate(() => {
    window.__flashToasts = [];
    const record = () => {
      // toasts, and the status bar's progress (VS Code holds toasts back while the window restores)
      for (const el of document.querySelectorAll('.notification-toast .notification-list-item-message, .statusbar-item[id*="progress"]')) {
        const msg = el.textContent?.trim();
        if (msg && !window.__flashToasts.includes(msg)) window.__flashToasts.push(msg);
      }
    };
    new MutationObserver(record).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

/** The first start's progress notification showed figures while the private environment installed. */
export async function firstStartStep(h) {
  await h.step('firstStartProgress', async () => ({ messages: await h.page.evaluate(() => window.__flashToasts ?? []) }));
}

/** Clicking the mothership (no code of its own) in the Endpoints tree opens its handler preview. */
export async function mothershipClickStep(h) {
  await h.step('mothershipClick', async () => {
    const { page, T } = h;
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Endpoints' }) }).first();
    await view.locator('.monaco-list-row', { hasText: 'mothership' }).first().click();
    const tab = page.locator('.tabs-container .tab', { hasText: 'handler_mothership.py' }).first();
    await tab.waitFor({ timeout: T(15000) });
    await page.waitForTimeout(800);
    await h.shot('mothership-click');
    return { tab: (await tab.innerText()).trim() };
  });
}

/** Cancelling `Flash: Build` leaves no truncated archive: what the build wrote is removed, and said. */
export async function cancelBuildStep(h, folder) {
  await h.step('cancelBuild', async () => {
    const { page, T } = h;
    // tiny builds in ~2 s, too fast to cancel on a loaded machine: an incompressible 160 MB file
    // keeps the real build copying and compressing for several seconds
    const ballast = path.join(folder, 'ballast.bin');
    const fd = fs.openSync(ballast, 'w');
    for (let i = 0; i < 160; i++) fs.writeSync(fd, crypto.randomBytes(1 << 20));
    fs.closeSync(fd);
    await h.quickOpen('workers/gpu/endpoint.py');
    await h.runCommand('Flash: Build');
    // cancel once the real build runs (it has started writing .flash/.build)
    const stage = /Flash: build tiny: (Copied|Building manifest|Generating handlers|Installing|No dependencies|Using PyPI|Bundled local)/;
    const toast = page.locator('.notification-toast', { hasText: stage }).first();
    await toast.waitFor({ timeout: T(60000) });
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    const cancelled = page.locator('.notification-toast', { hasText: 'Flash: build of tiny cancelled' }).first();
    await cancelled.waitFor({ timeout: T(30000) });
    await page.waitForTimeout(500);
    await h.shot('cancelled-build');
    const archive = path.join(folder, '.flash', 'archive.tar.gz');
    let valid = null;
    if (fs.existsSync(archive)) {
      try {
        zlib.gunzipSync(fs.readFileSync(archive));
        valid = true;
      } catch {
        valid = false;
      }
    }
    const result = { message: (await cancelled.innerText()).trim(), archiveExists: fs.existsSync(archive), valid, buildDir: fs.existsSync(path.join(folder, '.flash', '.build')) };
    fs.rmSync(ballast, { force: true });
    return result;
  });
}

/** The Endpoints view's tooltip and the status bar show one archive figure. */
export async function treeSizeStep(h) {
  await h.step('treeSize', async () => {
    const { page, T } = h;
    const status = page.locator('.statusbar-item[id*="flash"]', { hasText: /\d(\.\d)? ?[KMG]?B \/ \d/ }).first();
    await status.waitFor({ state: 'visible', timeout: T(60000) });
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Endpoints' }) }).first();
    // the Flash view may be open already (clicking its icon again would close it)
    if (!(await view.isVisible())) await page.locator('.activitybar .action-item a[aria-label^="Flash"]').first().click();
    const row = view.locator('.monaco-list-row', { hasText: 'hello_gpu' }).first();
    await h.page.keyboard.press('Escape');
    const hover = page.locator('.monaco-hover:not(.hidden), .workbench-hover', { hasText: 'predicted archive' }).first();
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.mouse.move(900, 950);
      await page.waitForTimeout(300);
      await row.hover();
      try {
        await hover.waitFor({ state: 'visible', timeout: T(5000) });
        break;
      } catch (e) {
        if (attempt === 2) throw e;
      }
    }
    const tooltip = (await hover.innerText()).replace(/\u00a0/g, ' ');
    await h.shot('tree-size-tooltip');
    await page.mouse.move(900, 950);
    return { status: (await status.innerText()).replace(/\u00a0/g, ' ').trim(), tooltip };
  });
}

/** Source-like text (deterministic) of about `bytes` bytes: compresses like installed packages. */
function fakeSource(seed, bytes) {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const lines = [];
  for (let n = 0; n < bytes; ) {
    const line = `def f_${next() % 50000}(name_${next() % 4000}, value_${next() % 4000}):  # ${next()}\n`;
    lines.push(line);
    n += line.length;
  }
  return lines.join('');
}

/** A .venv that ships (no ignore file names it): while it is sized the status bar shows how far and
 *  the figure so far; afterwards the size tooltip says how much of the archive it is, and what to do. */
export async function venvSizeStep(h, folder) {
  await h.step('venvSizing', async () => {
    const { page, T } = h;
    await page.evaluate(() => {
      window.__flashStatus = [];
      const record = () => {
        for (const el of document.querySelectorAll('.statusbar-item[id*="flash"]')) {
          const t = el.textContent?.replace(/\u00a0/g, ' ').trim();
          if (t && window.__flashStatus.at(-1) !== t) window.__flashStatus.push(t);
        }
      };
      new MutationObserver(record).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const site = path.join(folder, '.venv', 'lib', 'python3.11', 'site-packages', 'fakepkg');
    fs.mkdirSync(site, { recursive: true });
    fs.writeFileSync(path.join(folder, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
    for (let i = 0; i < 240; i++) fs.writeFileSync(path.join(site, `mod_${String(i).padStart(3, '0')}.py`), fakeSource(i + 1, 80_000));
    const written = Date.now();
    const sizing = page.locator('.statusbar-item[id*="flash"]', { hasText: /≥ .*sizing \.venv\/ \d+ %/ }).first();
    // files created under .venv/ by another process have not always reached the server through
    // VS Code's file watcher: then Re-index, the command for changes the watcher did not report
    let reindexed = false;
    if (!(await sizing.waitFor({ timeout: T(15000) }).then(() => true, () => false))) {
      reindexed = true;
      await h.runCommand('Flash: Re-index Workspace');
    }
    let sizingShot = false;
    try {
      await sizing.waitFor({ timeout: T(60000) });
      await h.shot('size-sizing-venv');
      sizingShot = true;
    } catch {}
    // then the figure, with a tooltip that names the .venv (hovered until the new estimate is in)
    const item = page.locator('.statusbar-item[id*="flash"]', { hasText: /\d(\.\d)? ?[KMG]?B \/ \d/ }).first();
    const tooltip = page.locator('.monaco-hover:not(.hidden)', { hasText: 'of it is .venv/' }).first();
    const deadline = Date.now() + T(120000);
    while (!(await tooltip.isVisible())) {
      if (Date.now() > deadline) throw new Error('no size tooltip naming .venv/');
      await item.waitFor({ state: 'visible', timeout: T(120000) });
      await page.mouse.move(5, 500); // away, then back: the hover shows the tooltip as it is now
      await page.waitForTimeout(300);
      await item.hover();
      await tooltip.waitFor({ state: 'visible', timeout: T(4000) }).catch(() => {});
    }
    const seconds = (Date.now() - written) / 1000;
    const lines = (await tooltip.innerText()).replace(/\u00a0/g, ' ').split('\n').filter((s) => s.trim());
    await h.shot('size-tooltip-venv');
    await page.mouse.move(5, 500);
    return { texts: await page.evaluate(() => window.__flashStatus), sizingShot, reindexed, lines, seconds };
  });
}

/** `Flash: Show Handler Preview` offers the mothership's handler_mothership.py (the LB handler its
 *  manifest entry names) beside handlers/handler_mothership.py, and previews it. */
export async function mothershipHandlersStep(h) {
  await h.step('mothershipHandlers', async () => {
    const { page, T } = h;
    await h.runCommand('Flash: Show Handler Preview');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'handler_mothership.py' }).first().waitFor({ timeout: T(15000) });
    const offered = (await rows.allInnerTexts()).map((r) => r.replace(/\n/g, ' ').replace(/\u00a0/g, ' '));
    await rows.filter({ hasText: /→ handler_mothership\.py/ }).first().click();
    const editor = h.editorWith('Auto-generated FastAPI handler');
    await editor.waitFor({ timeout: T(15000) });
    await page.waitForTimeout(800);
    await h.shot('mothership-handlers');
    const tabs = (await page.locator('.tabs-container .tab').allInnerTexts()).map((t) => t.replace(/\n/g, ' ').trim());
    const head = (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ').split('\n').slice(0, 4);
    return { offered, tabs, head };
  });
}
